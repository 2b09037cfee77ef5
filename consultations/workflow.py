"""Everything about a consultation's statuses, in one place: who may move a request where, what each status allows,
what a reply does, who hears about a change, what each party is offered on the page, and the badge of each status.

Parties, not roles: the *requester* side (staff of the requesting organisation), the *assignee* (the specialist the
request is routed to), the *centre* (coordinators and the centre head; site administrators act as the centre) and the
*system* (scheduled jobs). consultations.services is the only code that applies transitions; views, templates and
template tags ask this module. No other module compares a status with a literal.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from consultations.enums import Status


class Party(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    ASSIGNEE = "assignee", _("Assigned specialist")
    CENTRE = "centre", _("Support centre")
    SYSTEM = "system", _("System")


R, A, C, S = Party.REQUESTER, Party.ASSIGNEE, Party.CENTRE, Party.SYSTEM
ADVISERS = frozenset({A, C})  # the side that answers
CONVERSING = frozenset({R, A, C})  # the sides that write in the thread

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
    # Hand back: the assigned specialist returns the request to the centre's routing inbox, with a reason.
    (Status.ROUTED, Status.SUBMITTED): frozenset({A}),
    (Status.IN_PROGRESS, Status.SUBMITTED): frozenset({A}),
    (Status.WAITING, Status.SUBMITTED): frozenset({A}),
}

OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.ROUTED, Status.IN_PROGRESS, Status.WAITING, Status.ANSWERED})
# Statuses in which a specialist holds the request: their open workload (a partial index covers exactly these).
WORKLOAD_STATUSES = frozenset({Status.ROUTED, Status.IN_PROGRESS, Status.WAITING})
# The centre may route (or re-route) a request that nobody has answered yet.
ROUTABLE_STATUSES = frozenset({Status.SUBMITTED, Status.ROUTED, Status.IN_PROGRESS, Status.WAITING})
# The requester edits their request until it is routed; the centre edits any open request.
REQUESTER_EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.SUBMITTED})
CENTRE_EDITABLE_STATUSES = OPEN_STATUSES
# Waiting to be routed: the centre's inbox.
INBOX_STATUS = Status.SUBMITTED
# Every status a submitted request can have (the queue's status filter).
SUBMITTED_STATUSES = tuple(status for status in Status if status != Status.DRAFT)

# Changes made by their own action, not by the generic status form: submitting (the filing form), routing (the route
# page), accepting an answer (the rating form) and handing back (its own form).
STATUS_FORM_TARGETS = (Status.IN_PROGRESS, Status.WAITING, Status.ANSWERED, Status.CLOSED)


def allowed(from_status: str, to_status: str, parties: set[str]) -> bool:
    return bool(TRANSITIONS.get((from_status, to_status), frozenset()) & parties)


def is_hand_back(from_status: str, to_status: str) -> bool:
    return to_status == Status.SUBMITTED and from_status in WORKLOAD_STATUSES


def reason_required(from_status: str, to_status: str) -> bool:
    """Closing a request that was never answered, reopening a closed one and handing one back need a reason."""
    return (
        (to_status == Status.CLOSED and from_status != Status.ANSWERED)
        or (from_status == Status.CLOSED and to_status == Status.IN_PROGRESS)
        or is_hand_back(from_status, to_status)
    )


# --- What a reply does ------------------------------------------------------------------------------------------

REPLY_THEN_CHOICES = [
    ("", _("Keep the status")),
    (Status.WAITING, _("Ask the municipality for information")),
    (Status.ANSWERED, _("Mark as answered")),
]


def statuses_after_reply(status: str, parties: set[str], then: str = "") -> list[str]:
    """The statuses a (non-internal) reply moves the request through, in order.

    The requester adding information to a request waiting for them, or to an answered one, gives it back to the
    specialist (in progress); an adviser's first reply on a routed request starts the work; an adviser may also
    ask for information or mark the request answered with the same reply (`then`).
    """
    wanted: list[str] = []
    requester_adds_information = R in parties and status in (Status.WAITING, Status.ANSWERED)
    adviser_starts = bool(parties & ADVISERS) and status == Status.ROUTED and not then
    if requester_adds_information or adviser_starts:
        wanted.append(Status.IN_PROGRESS)
    if then in (Status.WAITING, Status.ANSWERED) and parties & ADVISERS:
        wanted.append(then)
    # Only steps the table allows from where the request is (a request closed meanwhile keeps its status).
    steps, current = [], status
    for step in wanted:
        if allowed(current, step, parties):
            steps.append(step)
            current = step
    return steps


# --- Who hears about a change -----------------------------------------------------------------------------------


def notifies_watchers(from_status: str, to_status: str) -> bool:
    """The requester side and the specialist hear when a request waits for information, is answered or closed, and
    when a closed request is reopened; work starting or resuming is no news. Routing and handing back have their own
    notices (consultations.notify)."""
    if to_status in (Status.WAITING, Status.ANSWERED, Status.CLOSED):
        return True
    return to_status == Status.IN_PROGRESS and from_status == Status.CLOSED


# --- What each party is offered on the request's page -----------------------------------------------------------


@dataclass(frozen=True)
class Action:
    to_status: str
    label: str
    needs_reason: bool


def status_actions(status: str, parties: set[str]) -> list[Action]:
    """The generic status changes this party may make now (accepting, routing and handing back have their own forms)."""
    if status == Status.DRAFT:
        return []
    labels = {
        Status.IN_PROGRESS: _("Start working on it") if status == Status.ROUTED else _("Reopen"),
        Status.WAITING: _("Ask the municipality for information"),
        Status.ANSWERED: _("Mark as answered"),
        Status.CLOSED: _("Withdraw the request") if R in parties else _("Close without answer"),
    }
    return [
        Action(to_status, labels[to_status], reason_required(status, to_status))
        for to_status in STATUS_FORM_TARGETS
        if allowed(status, to_status, parties)
        and not (to_status == Status.CLOSED and status == Status.ANSWERED)  # accepting has its own form
    ]


def may_hand_back(status: str, parties: set[str]) -> bool:
    return allowed(status, Status.SUBMITTED, parties) and status != Status.DRAFT


def may_accept(status: str, parties: set[str]) -> bool:
    return status == Status.ANSWERED and R in parties


# --- Badges -----------------------------------------------------------------------------------------------------

BADGES = {
    Status.DRAFT: "neutral",
    Status.SUBMITTED: "warning",
    Status.ROUTED: "info",
    Status.IN_PROGRESS: "info",
    Status.WAITING: "warning",
    Status.ANSWERED: "success",
    Status.CLOSED: "neutral",
}


def badge(status: str) -> str:
    return BADGES.get(status, "neutral")
