"""The choices of a consultation's fields. What the statuses mean and allow lives in consultations.workflow."""

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


class Urgency(models.TextChoices):
    LOW = "low", _("Low: when convenient")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High: affects residents or a deadline soon")


class HelpFormat(models.TextChoices):
    WRITTEN = "written", _("Advice in writing")
    ONLINE = "online", _("Online meeting")
    ONSITE = "onsite", _("On-site visit")


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
    HANDED_BACK = "handed_back", _("Handed back to the support centre")
