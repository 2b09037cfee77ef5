"""Writes on consultations. Every change goes through here: atomic, validated, recorded, notified after commit.

Each action a person takes is one service call (one transaction). Transitions are checked against
consultations.workflow; views never decide them. A service first locks the request through the same visibility
rule the pages use (permissions.visible_filter), so nobody changes what they could not open.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from consultations import notify, permissions, reminders, selectors, workflow
from consultations.classifier import DomainClassifier
from consultations.enums import EventKind, MessageKind, Status
from consultations.models import Attachment, Consultation, Event, Message, ReferenceCounter, Routing, Watcher
from consultations.uploads import CheckedFile
from consultations.workflow import Party
from dxshare import textsearch
from dxshare.fiscal import fiscal_year_of
from municipalities.selectors import reminder_policy_for

EDITABLE_FIELDS = (
    "title",
    "description",
    "requested_domain",
    "urgency",
    "help_format",
    "wanted_by",
    "timing_note",
    "confidential",
)


class ConsultationConflict(Exception):
    """Somebody else changed the request first; the message says who and what."""


def _lock_for(user, consultation: Consultation) -> Consultation:
    """The request's row locked until commit, read through the user's visibility: PermissionDenied if they may not
    see it (views already answered 404 for that; this guards every other caller)."""
    try:
        locked = (
            Consultation.objects.select_for_update(of=("self",))
            .filter(permissions.visible_filter(user))
            .get(pk=consultation.pk)
        )
    except Consultation.DoesNotExist as missing:
        raise PermissionDenied from missing
    return permissions.mark_visible(locked, user)


def _index(consultation: Consultation) -> None:
    """Refresh the search text (dxshare.textsearch) from the fields people search by."""
    organisation = consultation.organisation
    consultation.search_text = textsearch.document(
        consultation.reference,
        consultation.title,
        consultation.description,
        organisation.name,
        organisation.name_en,
    )


def _record(consultation, actor, kind, *, from_status="", to_status="", internal=False, **data) -> Event:
    return Event.objects.create(
        consultation=consultation,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        internal=internal,
        data=data,
    )


def _attach(consultation, files: list[CheckedFile], by, message=None) -> None:
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise ValidationError(_("Attach at most %(count)s files at a time.") % {"count": settings.ATTACHMENT_MAX_FILES})
    for checked in files:
        attachment = Attachment(
            consultation=consultation,
            message=message,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=by,
        )
        attachment.file.save(checked.name, checked.upload, save=False)
        attachment.save()


def _parties(user, consultation, *, system: bool = False) -> set[str]:
    return {Party.SYSTEM} if system else permissions.parties(user, consultation)


def _transition(consultation, to_status, *, by, system=False, reason="", **changes) -> None:
    """Move the (locked) consultation to `to_status`, or refuse with a message naming the current status.

    `changes` are further fields saved in the same UPDATE (e.g. the reference number given on submission)."""
    from_status = consultation.status
    if not workflow.allowed(from_status, to_status, _parties(by, consultation, system=system)):
        raise ValidationError(
            _("A request that is %(current)s cannot become %(target)s.")
            % {"current": Status(from_status).label, "target": Status(to_status).label},
            code="transition",
        )
    # The change's one time: the status event's, which the reminders count from and re-planning reads back.
    event = _record(
        consultation,
        None if system else by,
        EventKind.STATUS,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )
    now = event.created_at
    consultation.status = to_status
    if to_status == Status.ANSWERED:
        consultation.answered_at = now
    if to_status == Status.CLOSED:
        consultation.closed_at = now
    elif from_status == Status.CLOSED:
        consultation.closed_at = None
    for field, value in changes.items():
        setattr(consultation, field, value)
    consultation.save(update_fields=["status", "answered_at", "closed_at", "updated_at", *changes])
    reminders.plan(consultation, since=now, episode=event.pk)


# --- Filing ---------------------------------------------------------------------------------------------------


@transaction.atomic
def consultation_save_draft(
    *,
    author,
    fields: dict,
    files: list[CheckedFile] = (),
    consultation: Consultation | None = None,
    submitting: bool = False,
) -> Consultation:
    if not permissions.can_file(author):
        raise PermissionDenied
    if consultation is None:
        consultation = Consultation(
            programme_id=author.programme_id,
            organisation_id=author.organisation_id,
            requester=author,
            status=Status.DRAFT,
            **{key: fields[key] for key in EDITABLE_FIELDS if key in fields},
        )
        consultation.full_clean()
        _index(consultation)
        consultation.save()
        if not submitting:  # a request filed directly starts its history with its submission
            _record(consultation, author, EventKind.CREATED)
    else:
        consultation = _lock_for(author, consultation)
        if not consultation.is_draft or consultation.requester_id != author.pk:
            raise ValidationError(_("Only your own drafts can be changed here."))
        _apply_fields(consultation, fields)
        consultation.full_clean()
        _index(consultation)
        consultation.save()
    _attach(consultation, list(files), author)
    return consultation


@transaction.atomic
def consultation_update_draft(
    *, author, consultation: Consultation, fields: dict, files: list[CheckedFile] = (), submit: bool
) -> Consultation:
    """Save changes to one's own draft and, if asked, submit it: one transaction, so a refused submission keeps
    nothing half-done."""
    consultation = consultation_save_draft(author=author, fields=fields, files=files, consultation=consultation)
    return consultation_submit(consultation=consultation, by=author) if submit else consultation


def _next_reference(programme, fiscal_year: int) -> tuple[int, str]:
    """Take the next number of the programme's fiscal year, holding the counter's row lock until commit."""
    try:
        with transaction.atomic():
            ReferenceCounter.objects.get_or_create(programme=programme, fiscal_year=fiscal_year)
    except IntegrityError:
        pass  # another transaction created it a moment ago
    ReferenceCounter.objects.select_for_update().filter(programme=programme, fiscal_year=fiscal_year).update(
        last=F("last") + 1
    )
    sequence = ReferenceCounter.objects.get(programme=programme, fiscal_year=fiscal_year).last
    return sequence, f"{programme.reference_prefix}-{fiscal_year}-{sequence:04d}"


def suggestion_as_data(suggestion) -> dict:
    """What the routing page shows later: the scores and the evidence, as JSON."""
    return {
        "source": suggestion.source,
        "confident": suggestion.confident,
        "scores": suggestion.scores,
        "reasons": {
            domain: [{"kind": r.kind, "label": r.label, "points": r.points} for r in reasons[:6]]
            for domain, reasons in suggestion.reasons.items()
        },
    }


def suggest_domain(consultation: Consultation):
    classifier = DomainClassifier(history=selectors.routed_history(consultation.programme))
    return classifier.suggest(f"{consultation.title}\n{consultation.description}", consultation.requested_domain)


@transaction.atomic
def consultation_submit(*, consultation: Consultation, by) -> Consultation:
    consultation = _lock_for(by, consultation)
    if consultation.requester_id != by.pk:
        raise PermissionDenied
    consultation.full_clean()
    if not consultation.description.strip():
        raise ValidationError({"description": _("Describe what you need help with.")})
    if not consultation.is_draft:
        raise ValidationError(_("This request has already been submitted."), code="state")
    now = timezone.now()
    fiscal_year = fiscal_year_of(now)
    sequence, reference = _next_reference(consultation.programme, fiscal_year)
    suggestion = suggest_domain(consultation)
    consultation.reference = reference
    _index(consultation)
    _transition(
        consultation,
        Status.SUBMITTED,
        by=by,
        fiscal_year=fiscal_year,
        sequence=sequence,
        reference=reference,
        submitted_at=now,
        suggested_domain=suggestion.domain or "",
        suggestion=suggestion_as_data(suggestion),
        search_text=consultation.search_text,
    )
    Watcher.objects.get_or_create(consultation=consultation, user=by)
    notify.submitted(consultation)
    return consultation


@transaction.atomic
def consultation_file(*, author, fields: dict, files: list[CheckedFile] = (), submit: bool = True) -> Consultation:
    """Save a new request as a draft and, unless asked to keep it as a draft, submit it."""
    consultation = consultation_save_draft(author=author, fields=fields, files=files, submitting=submit)
    return consultation_submit(consultation=consultation, by=author) if submit else consultation


def _apply_fields(consultation, fields: dict) -> dict:
    changed = {}
    for key in EDITABLE_FIELDS:
        if key in fields and getattr(consultation, key) != fields[key]:
            changed[key] = [str(getattr(consultation, key)), str(fields[key])]
            setattr(consultation, key, fields[key])
    return changed


@transaction.atomic
def consultation_edit(*, consultation: Consultation, by, fields: dict) -> Consultation:
    consultation = _lock_for(by, consultation)
    if not permissions.can_edit(by, consultation):
        raise PermissionDenied
    changed = _apply_fields(consultation, fields)
    if changed:
        consultation.full_clean()
        _index(consultation)
        consultation.save()
        # What changed, old and new (the request's history shows them; long texts are cut to 300 characters).
        changes = {key: [old[:300], new[:300]] for key, (old, new) in sorted(changed.items())}
        _record(consultation, by, EventKind.EDITED, fields=sorted(changed), changes=changes)
    return consultation


# --- Routing ---------------------------------------------------------------------------------------------------


@transaction.atomic
def consultation_route(
    *, consultation: Consultation, specialist, by, reason: str = "", expected_specialist_id: int | None = None
) -> Routing:
    """Assign exactly one specialist. `expected_specialist_id` is who the router saw assigned (None: nobody):
    if somebody else routed the request meanwhile, ConsultationConflict says so and nothing changes."""
    consultation = _lock_for(by, consultation)
    if not permissions.can_route(by, consultation):
        raise ValidationError(_("This request cannot be routed in its current state."), code="state")
    current = consultation.routings.select_related("specialist__user", "routed_by").filter(is_current=True).first()
    if (current.specialist_id if current else None) != expected_specialist_id:
        if current:
            raise ConsultationConflict(
                _("%(who)s has just routed this request to %(specialist)s. Check it before routing again.")
                % {"who": current.routed_by.full_name, "specialist": current.specialist.user.full_name}
            )
        raise ConsultationConflict(_("The routing of this request changed meanwhile. Check it and try again."))
    if (
        specialist.user.programme_id != consultation.programme_id
        or not specialist.is_active_on(timezone.localdate())
        or not specialist.user.is_active
    ):
        raise ValidationError({"specialist": _("Choose an active specialist of this programme.")})
    if current and current.specialist_id == specialist.pk:
        raise ValidationError({"specialist": _("The request is already routed to this specialist.")})
    if current and not reason.strip():
        raise ValidationError({"reason": _("Give a reason for routing the request to somebody else.")})
    if current:
        Routing.objects.filter(pk=current.pk).update(is_current=False)
    routing = Routing.objects.create(
        consultation=consultation,
        specialist=specialist,
        domain=specialist.domain,
        routed_by=by,
        reason=reason.strip(),
        suggested_domain=consultation.suggested_domain,
    )
    previous_specialist = current.specialist if current else None
    # A request handed back is routed again from the inbox: that is a new routing, not a change of somebody's.
    consultation.specialist = specialist
    consultation.save(update_fields=["specialist", "updated_at"])
    routed_event = _record(
        consultation,
        by,
        EventKind.REROUTED if current else EventKind.ROUTED,
        specialist=specialist.user.full_name,
        domain=specialist.domain,
        previous=previous_specialist.user.full_name if previous_specialist else "",
        followed_suggestion=routing.followed_suggestion,
        reason=routing.reason,
    )
    if consultation.status == Status.SUBMITTED:
        _transition(consultation, Status.ROUTED, by=by)
    elif consultation.status == Status.ROUTED:  # re-routed before a first answer: the new specialist's clock starts
        reminders.plan(consultation, since=routed_event.created_at, episode=routed_event.pk)
    Watcher.objects.get_or_create(consultation=consultation, user=specialist.user)
    if previous_specialist:
        Watcher.objects.filter(consultation=consultation, user=previous_specialist.user).delete()
    notify.routed(consultation, routing, previous_specialist=previous_specialist, by=by)
    return routing


# --- The thread and the workflow -------------------------------------------------------------------------------


@transaction.atomic
def consultation_reply(
    *,
    consultation: Consultation,
    author,
    body: str,
    internal: bool = False,
    files: list[CheckedFile] = (),
    then: str = "",
) -> Message:
    """Post a reply or an internal note; optionally move the request on (`then`: waiting or answered).

    The row lock orders a reply and a concurrent close: the message is always kept; on a request closed
    meanwhile it changes no status (the view tells the author so).
    """
    consultation = _lock_for(author, consultation)
    if not body.strip():
        raise ValidationError({"body": _("Write a message.")})
    can_post = permissions.can_add_note if internal else permissions.can_reply
    if not can_post(author, consultation):
        raise PermissionDenied
    message = Message.objects.create(
        consultation=consultation,
        author=author,
        body=body.strip(),
        kind=MessageKind.NOTE if internal else MessageKind.REPLY,
    )
    _attach(consultation, list(files), author, message=message)
    _record(
        consultation, author, EventKind.NOTE if internal else EventKind.REPLIED, internal=internal, message=message.pk
    )
    if not internal:
        sides = permissions.parties(author, consultation)
        consultation.last_reply_by = workflow.reply_side(sides)
        consultation.last_reply_at = message.created_at
        consultation.save(update_fields=["last_reply_by", "last_reply_at", "updated_at"])
        for step in workflow.statuses_after_reply(consultation.status, sides, then):
            _transition(consultation, step, by=author)
    message.consultation = consultation  # the caller reads the status it left (e.g. closed meanwhile)
    notify.message_posted(consultation, message)
    return message


REASON_MISSING = {
    workflow.ChangeKind.WITHDRAW: _lazy("Write why you withdraw the request."),
    workflow.ChangeKind.CLOSE: _lazy("Write why the request is closed without an answer."),
    workflow.ChangeKind.REOPEN: _lazy("Write what still needs to be done."),
}


@transaction.atomic
def consultation_change_status(*, consultation: Consultation, to_status: str, by, reason: str = "") -> Consultation:
    """A status change on its own (start work, ask for information, mark answered, close, reopen).

    Submitting, routing, accepting an answer and handing back are their own services."""
    consultation = _lock_for(by, consultation)
    if to_status not in workflow.DIRECT_CHANGE_TARGETS:
        raise ValidationError(_("This change is made with its own form."), code="transition")
    if consultation.status == to_status:
        raise ValidationError(
            _("The request is already %(current)s.") % {"current": Status(to_status).label}, code="unchanged"
        )
    from_status = consultation.status
    if workflow.reason_required(from_status, to_status) and not reason.strip():
        kind = workflow.change_kind(from_status, to_status, permissions.parties(by, consultation))
        raise ValidationError({"reason": REASON_MISSING[kind]})
    _transition(consultation, to_status, by=by, reason=reason.strip())
    notify.status_changed(consultation, from_status=from_status, by=by, reason=reason.strip())
    return consultation


@transaction.atomic
def consultation_hand_back(*, consultation: Consultation, by, reason: str) -> Consultation:
    """The assigned specialist returns the request to the centre's routing inbox, with a reason for the centre.

    The routing ends (kept in the history with the reason), the request has no specialist and waits to be routed
    again. Refused with a message, changing nothing, when the request is not the person's or is no longer theirs."""
    consultation = _lock_for(by, consultation)
    if Party.ASSIGNEE not in permissions.parties(by, consultation):
        raise ValidationError(
            _("Only the specialist the request is routed to can hand it back. It is not routed to you."),
            code="not_assignee",
        )
    if not workflow.may_hand_back(consultation.status, {Party.ASSIGNEE}):
        raise ValidationError(
            _("A request that is %(current)s cannot be handed back.") % {"current": Status(consultation.status).label},
            code="state",
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Tell the support centre why you hand the request back.")})
    now = timezone.now()
    routing = consultation.routings.select_for_update().get(is_current=True)
    routing.is_current = False
    routing.handed_back_at = now
    routing.hand_back_reason = reason.strip()
    routing.save(update_fields=["is_current", "handed_back_at", "hand_back_reason"])
    specialist = consultation.specialist
    _transition(consultation, Status.SUBMITTED, by=by, specialist=None)
    _record(
        consultation,
        by,
        EventKind.HANDED_BACK,
        internal=True,
        specialist=specialist.user.full_name,
        domain=specialist.domain,
        reason=routing.hand_back_reason,
    )
    Watcher.objects.filter(consultation=consultation, user=by).delete()
    notify.handed_back(consultation, routing, by=by)
    return consultation


@transaction.atomic
def consultation_accept(*, consultation: Consultation, by, rating: int, comment: str = "") -> Consultation:
    """The requester accepts the answer: closed, with a 1–5 satisfaction rating and an optional comment."""
    consultation = _lock_for(by, consultation)
    if not permissions.can_rate(by, consultation):
        raise ValidationError(_("Only an answered request of your organisation can be accepted."), code="state")
    if rating not in range(1, 6):
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    consultation.satisfaction = rating
    consultation.satisfaction_comment = comment.strip()
    consultation.save(update_fields=["satisfaction", "satisfaction_comment", "updated_at"])
    _record(consultation, by, EventKind.RATED, rating=rating)
    _transition(consultation, Status.CLOSED, by=by)
    notify.status_changed(consultation, from_status=Status.ANSWERED, by=by)
    return consultation


def consultation_auto_close(*, consultation_id: int, episode: int) -> bool:
    """Close a request left answered since history entry `episode` (its reminder fell due: the programme's
    auto_close_days have passed without a response). True if it closed; False if it was answered again, reopened
    or closed meanwhile. Call inside a transaction (the reminder sweep's)."""
    consultation = Consultation.objects.select_for_update().filter(pk=consultation_id, status=Status.ANSWERED).first()
    if consultation is None:
        return False
    latest = consultation.events.filter(kind=EventKind.STATUS).order_by("-pk").values_list("pk", flat=True).first()
    if latest != episode:
        return False  # answered again since: a later reminder belongs to that answer
    days = reminder_policy_for(consultation.programme).auto_close_days
    _transition(consultation, Status.CLOSED, by=None, system=True)
    _record(consultation, None, EventKind.AUTO_CLOSED, days=days)
    notify.status_changed(consultation, from_status=Status.ANSWERED, by=None)
    return True


@transaction.atomic
def consultation_watch(*, consultation: Consultation, user, watch: bool) -> None:
    consultation = _lock_for(user, consultation)
    if watch:
        Watcher.objects.get_or_create(consultation=consultation, user=user)
    else:
        Watcher.objects.filter(consultation=consultation, user=user).delete()
