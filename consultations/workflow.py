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

# The one place that changes a status on its own is the confirmation page (consultations:change): withdrawing or
# closing a request, and reopening a closed one. Everything else moves with the action that causes it: submitting
# (the filing form), routing (the route page), a reply (its buttons: ask the municipality, send as the answer),
# accepting an answer (the rating form) and handing back (its own form).
STATUS_FORM_TARGETS = (Status.CLOSED, Status.IN_PROGRESS)
# What services.consultation_change_status accepts from other code (imports, scheduled jobs, tests): every change the
# table allows that has no service of its own. The pages offer only STATUS_FORM_TARGETS.
DIRECT_CHANGE_TARGETS = (Status.IN_PROGRESS, Status.WAITING, Status.ANSWERED, Status.CLOSED)


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
    ("", _("Send")),
    (Status.WAITING, _("Send and wait for the municipality's answer")),
    (Status.ANSWERED, _("Send as the answer")),
]


@dataclass(frozen=True)
class ReplyButton:
    then: str
    label: str
    primary: bool


def reply_buttons(status: str, parties: set[str]) -> list[ReplyButton]:
    """The reply form's buttons: everybody sends; the advisers may also ask the municipality for information or send
    their message as the answer, which moves the status with the message (the table decides what is offered)."""
    buttons = [ReplyButton("", _("Send"), primary=not (parties & ADVISERS))]
    if parties & ADVISERS:
        for then, label in REPLY_THEN_CHOICES[1:]:
            if statuses_after_reply(status, parties, then)[-1:] == [then]:
                buttons.append(ReplyButton(then, label, primary=then == Status.ANSWERED))
        if not any(button.primary for button in buttons):
            buttons[0] = ReplyButton("", _("Send"), primary=True)
    return buttons


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


def reply_side(parties: set[str]) -> str:
    """The party a reply is recorded as (Consultation.last_reply_by): the assignee or the centre answer, the
    requester side asks."""
    for party in (A, C, R):
        if party in parties:
            return party
    return ""


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
    kind: str = ""


class ChangeKind(models.TextChoices):
    """The status changes made on their own, each confirmed on its own page (consultations:change)."""

    WITHDRAW = "withdraw", _("Withdraw the request")
    CLOSE = "close", _("Close without an answer")
    REOPEN = "reopen", _("Reopen the request")


def change_kind(status: str, to_status: str, parties: set[str]) -> str:
    if to_status == Status.IN_PROGRESS:
        return ChangeKind.REOPEN
    return ChangeKind.WITHDRAW if R in parties else ChangeKind.CLOSE


def status_actions(status: str, parties: set[str]) -> list[Action]:
    """The changes this party may make on their own now: withdraw or close an open request, reopen a closed one.
    Each asks for confirmation and a reason. Accepting an answer (which closes it) has its own form."""
    actions = []
    if status in (Status.DRAFT, Status.ANSWERED):
        return actions  # a draft is simply not submitted; an answered request is accepted or replied to
    for to_status in STATUS_FORM_TARGETS:
        if to_status == Status.IN_PROGRESS and status != Status.CLOSED:
            continue  # starting or resuming work happens with a reply
        if allowed(status, to_status, parties):
            kind = change_kind(status, to_status, parties)
            actions.append(Action(to_status, ChangeKind(kind).label, reason_required(status, to_status), kind))
    return actions


def action_for(status: str, kind: str, parties: set[str]) -> "Action | None":
    """The action behind a confirmation page's address, if this party may take it now."""
    return next((action for action in status_actions(status, parties) if action.kind == kind), None)


def may_hand_back(status: str, parties: set[str]) -> bool:
    return allowed(status, Status.SUBMITTED, parties) and status != Status.DRAFT


def may_accept(status: str, parties: set[str]) -> bool:
    return status == Status.ANSWERED and R in parties


# --- Whose turn it is ------------------------------------------------------------------------------------------


class Turn(models.TextChoices):
    YOURS = "yours", _("Your turn")
    OTHERS = "others", _("Waiting for others")
    DONE = "done", _("Done")


@dataclass(frozen=True)
class ViewerState:
    """A status as one viewer reads it: a label written from their side, and whether they must act."""

    status: str
    label: str
    turn: str
    banner: str = ""  # on the request's page, when it is the viewer's turn: what to do

    @property
    def badge(self) -> str:
        return {Turn.YOURS: "action", Turn.DONE: "done"}.get(self.turn, "waiting")


_REQUESTER_STATES = {
    Status.DRAFT: (
        _("Draft: not yet submitted"),
        Turn.YOURS,
        _("Nobody sees this draft yet. Submit it when it is ready."),
    ),
    Status.SUBMITTED: (_("Waiting for routing"), Turn.OTHERS, ""),
    Status.ROUTED: (_("With the specialist"), Turn.OTHERS, ""),
    Status.IN_PROGRESS: (_("The specialist is working on it"), Turn.OTHERS, ""),
    Status.WAITING: (
        _("Please reply"),
        Turn.YOURS,
        _("The specialist needs more information from you. Read their question and reply below."),
    ),
    Status.ANSWERED: (
        _("Answered: please check"),
        Turn.YOURS,
        _("The specialist has answered. If the answer helps, accept it; if something is unclear, reply below."),
    ),
    Status.CLOSED: (_("Closed"), Turn.DONE, ""),
}
_ASSIGNEE_STATES = {
    Status.ROUTED: (
        _("New: please respond"),
        Turn.YOURS,
        _("This request is routed to you. Reply to the municipality, or hand it back if it is not for you."),
    ),
    Status.IN_PROGRESS: (_("Your turn to reply"), Turn.YOURS, _("It is your turn: reply to the municipality.")),
    Status.WAITING: (_("Waiting for the municipality"), Turn.OTHERS, ""),
    Status.ANSWERED: (_("Answered: waiting for acceptance"), Turn.OTHERS, ""),
    Status.CLOSED: (_("Closed"), Turn.DONE, ""),
}
_CENTRE_STATES = {
    Status.SUBMITTED: (
        _("Please route"),
        Turn.YOURS,
        _("This request waits to be routed to a specialist."),
    ),
    Status.ROUTED: (_("With the specialist"), Turn.OTHERS, ""),
    Status.IN_PROGRESS: (_("With the specialist"), Turn.OTHERS, ""),
    Status.WAITING: (_("Waiting for the municipality"), Turn.OTHERS, ""),
    Status.ANSWERED: (_("Answered: waiting for acceptance"), Turn.OTHERS, ""),
    Status.CLOSED: (_("Closed"), Turn.DONE, ""),
}


def viewer_state(status: str, parties: set[str], last_reply_by: str = "") -> ViewerState:
    """The status from the viewer's side. The assigned specialist's view comes first (a site administrator may be
    both centre and assignee), then the requester's, then the centre's; anyone else reads the neutral label.
    `last_reply_by` (the party of the last visible reply) tells the specialist that the municipality has replied."""
    if A in parties and status == Status.IN_PROGRESS and last_reply_by == R:
        return ViewerState(
            status,
            _("The municipality replied"),
            Turn.YOURS,
            _("The municipality has replied. Read their message and continue."),
        )
    for party, table in ((A, _ASSIGNEE_STATES), (R, _REQUESTER_STATES), (C, _CENTRE_STATES)):
        if party in parties and status in table:
            label, turn, banner = table[status]
            return ViewerState(status, label, turn, banner)
    return ViewerState(status, Status(status).label, Turn.DONE if status == Status.CLOSED else Turn.OTHERS)
