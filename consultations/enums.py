"""Statuses of a consultation and the transitions between them, in one place.

Who may make a transition is named by party, not by role: the *requester* side (staff of the requesting
organisation), the *assignee* (the specialist the request is routed to), the *centre* (coordinators and the centre
head) and the *system* (scheduled jobs). consultations.services is the only code that applies transitions.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ROUTED = "routed", _("Routed")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for municipality")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.ROUTED, Status.IN_PROGRESS, Status.WAITING, Status.ANSWERED})
# Statuses in which a specialist holds the request (their open workload).
WORKLOAD_STATUSES = frozenset({Status.ROUTED, Status.IN_PROGRESS, Status.WAITING})


class Party(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    ASSIGNEE = "assignee", _("Assigned specialist")
    CENTRE = "centre", _("Support centre")
    SYSTEM = "system", _("System")


R, A, C, S = Party.REQUESTER, Party.ASSIGNEE, Party.CENTRE, Party.SYSTEM

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (Status.DRAFT, Status.SUBMITTED): frozenset({R}),
    (Status.SUBMITTED, Status.ROUTED): frozenset({C}),
    (Status.ROUTED, Status.IN_PROGRESS): frozenset({A, C}),
    (Status.ROUTED, Status.WAITING): frozenset({A, C}),
    (Status.IN_PROGRESS, Status.WAITING): frozenset({A, C}),
    (Status.WAITING, Status.IN_PROGRESS): frozenset({R, A, C}),
    (Status.ROUTED, Status.ANSWERED): frozenset({A, C}),
    (Status.IN_PROGRESS, Status.ANSWERED): frozenset({A, C}),
    (Status.WAITING, Status.ANSWERED): frozenset({A, C}),
    (Status.ANSWERED, Status.IN_PROGRESS): frozenset({R, A, C}),
    (Status.ANSWERED, Status.CLOSED): frozenset({R, C, S}),
    # The centre closes an open request that needs no answer (duplicate, withdrawn), with a reason.
    (Status.SUBMITTED, Status.CLOSED): frozenset({R, C}),
    (Status.ROUTED, Status.CLOSED): frozenset({C}),
    (Status.IN_PROGRESS, Status.CLOSED): frozenset({C}),
    (Status.WAITING, Status.CLOSED): frozenset({C}),
    # Reopen: back to the specialist who had it.
    (Status.CLOSED, Status.IN_PROGRESS): frozenset({R, C}),
}


def allowed(from_status: str, to_status: str, parties: set[str]) -> bool:
    return bool(TRANSITIONS.get((from_status, to_status), frozenset()) & parties)


class Urgency(models.TextChoices):
    LOW = "low", _("Low: when convenient")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High: affects residents or a deadline soon")


class HelpFormat(models.TextChoices):
    WRITTEN = "written", _("Advice in writing")
    ONLINE = "online", _("Online meeting")
    ONSITE = "onsite", _("On-site visit")


NOT_SURE = ""  # the requester's "not sure" answer for the domain


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")


class EventKind(models.TextChoices):
    CREATED = "created", _("Draft saved")
    SUBMITTED = "submitted", _("Submitted")
    EDITED = "edited", _("Edited")
    ROUTED = "routed", _("Routed")
    REROUTED = "rerouted", _("Re-routed")
    STATUS = "status", _("Status changed")
    REPLIED = "replied", _("Reply posted")
    NOTE = "note", _("Internal note added")
    RATED = "rated", _("Answer accepted and rated")
    AUTO_CLOSED = "auto_closed", _("Closed automatically")
