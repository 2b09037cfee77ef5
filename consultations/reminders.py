"""Reminders of requests that wait, planned on every status change (services._transition) and on a re-routing.

| waits since                     | after                                  | who is reminded                   |
|---------------------------------|----------------------------------------|-----------------------------------|
| submitted, nobody has routed it | N business hours (unrouted_hours)      | the coordinators                  |
| routed, no first answer         | M business days (first_answer_days)   | the specialist                    |
|                                 | 2 × M business days                    | the coordinators                  |
| waiting for the municipality    | W business days (waiting_days)         | the requester                     |
| answered, no response           | K days (auto_close_days)               | closed; the requester is told     |

N, M, W and K are the programme's settings (municipalities.ReminderPolicy). The occasion of each reminder is the
history entry of the change the request waits since, so a request that comes back to a status is reminded again,
and a change cancels what was pending for the status it left.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.enums import CENTRE_ROLES, ORGANISATION_ROLES, Role
from accounts.models import User
from consultations.enums import EventKind, Status
from consultations.models import Consultation, Event
from dxshare.business_days import business_days_after, business_hours_after
from municipalities.models import ReminderPolicy
from municipalities.selectors import reminder_policy_for
from municipalities.signals import reminder_policy_changed
from notifications import registry
from notifications.models import Reminder, ReminderState
from notifications.reminders import Planned, reminders_plan

UNROUTED = "consultation.unrouted"
NO_FIRST_ANSWER = "consultation.no_first_answer"
NO_FIRST_ANSWER_CENTRE = "consultation.no_first_answer_centre"
WAITING = "consultation.waiting_for_you"
AUTO_CLOSE = "consultation.auto_close"
KINDS = (UNROUTED, NO_FIRST_ANSWER, NO_FIRST_ANSWER_CENTRE, WAITING, AUTO_CLOSE)

# The status a reminder belongs to: if the request has left it, the reminder is not sent.
STATUS_OF = {
    UNROUTED: Status.SUBMITTED,
    NO_FIRST_ANSWER: Status.ROUTED,
    NO_FIRST_ANSWER_CENTRE: Status.ROUTED,
    WAITING: Status.WAITING,
    AUTO_CLOSE: Status.ANSWERED,
}


def _coordinators(programme_id: int) -> list[int]:
    return list(
        User.objects.filter(programme_id=programme_id, role=Role.COORDINATOR, is_active=True).values_list(
            "pk", flat=True
        )
    )


def wanted(consultation: Consultation, *, since: dt.datetime, episode: int, policy: ReminderPolicy) -> list[Planned]:
    """The reminders a request in its current status wants, waiting since `since` (history entry `episode`)."""
    occasion = str(episode)
    status = consultation.status
    if status == Status.SUBMITTED:
        due = business_hours_after(since, policy.unrouted_hours)
        return [Planned(UNROUTED, pk, occasion, due) for pk in _coordinators(consultation.programme_id)]
    if status == Status.ROUTED and consultation.specialist_id:
        specialist_user = consultation.specialist.user_id
        plans = [
            Planned(NO_FIRST_ANSWER, specialist_user, occasion, business_days_after(since, policy.first_answer_days))
        ]
        later = business_days_after(since, 2 * policy.first_answer_days)
        plans += [
            Planned(NO_FIRST_ANSWER_CENTRE, pk, occasion, later) for pk in _coordinators(consultation.programme_id)
        ]
        return plans
    if status == Status.WAITING:
        return [Planned(WAITING, consultation.requester_id, occasion, business_days_after(since, policy.waiting_days))]
    if status == Status.ANSWERED:
        due = since + dt.timedelta(days=policy.auto_close_days)
        return [Planned(AUTO_CLOSE, consultation.requester_id, occasion, due)]
    return []


def plan(consultation: Consultation, *, since: dt.datetime, episode: int, policy: ReminderPolicy | None = None) -> None:
    """Plan the request's reminders for the status it is in now; call inside the change's transaction."""
    policy = policy or reminder_policy_for(consultation.programme)
    reminders_plan(consultation, wanted(consultation, since=since, episode=episode, policy=policy), kinds=KINDS)


@receiver(reminder_policy_changed)
def _replan_programme(sender, programme, **kwargs) -> None:
    """New thresholds move the pending reminders of the programme's waiting requests (same transaction)."""
    policy = reminder_policy_for(programme)
    pending = Reminder.objects.filter(
        kind__in=KINDS,
        state=ReminderState.PENDING,
        subject_type__app_label="consultations",
        subject_type__model="consultation",
    )
    episodes = dict(pending.values_list("subject_id", "occasion").distinct())
    consultations = Consultation.objects.filter(pk__in=list(episodes), programme=programme).select_related("specialist")
    events = dict(Event.objects.filter(pk__in=[int(o) for o in episodes.values()]).values_list("pk", "created_at"))
    for consultation in consultations:
        episode = int(episodes[consultation.pk])
        if episode in events:
            plan(consultation, since=events[episode], episode=episode, policy=policy)


# --- Writing the reminders (the sweep calls compose with a batch of one kind) -----------------------------------------

HEADLINES = {
    UNROUTED: _("This request has waited %(hours)s business hours to be routed."),
    NO_FIRST_ANSWER: _("This request routed to you has had no first answer for %(days)s business days."),
    NO_FIRST_ANSWER_CENTRE: _("This request has had no first answer for %(days)s business days since it was routed."),
    WAITING: _("The specialist waits for your answer to this request (%(days)s business days)."),
}


def _still_for(kind: str, consultation: Consultation, user: User) -> bool:
    """Whether the reminder still applies: the request is in its status and the recipient still has that part."""
    if consultation.status != STATUS_OF[kind] or not user.is_active or user.programme_id != consultation.programme_id:
        return False
    if kind in (UNROUTED, NO_FIRST_ANSWER_CENTRE):
        return user.role in CENTRE_ROLES
    if kind == NO_FIRST_ANSWER:
        return consultation.specialist is not None and consultation.specialist.user_id == user.pk
    return consultation.requester_id == user.pk and user.organisation_id == consultation.organisation_id


def _compose(reminders: list[Reminder]) -> dict:
    ids = {reminder.subject_id for reminder in reminders}
    consultations = Consultation.objects.select_related("programme", "specialist").in_bulk(ids)
    policies = {
        policy.programme_id: policy
        for policy in ReminderPolicy.objects.filter(programme_id__in={c.programme_id for c in consultations.values()})
    }
    messages = {}
    for reminder in reminders:
        consultation = consultations.get(reminder.subject_id)
        user = reminder.recipient
        if consultation is None or not _still_for(reminder.kind, consultation, user):
            messages[reminder.pk] = None
            continue
        policy = policies.get(consultation.programme_id) or ReminderPolicy()
        with translation.override(user.language):
            headline = gettext(HEADLINES[reminder.kind]) % {
                "hours": policy.unrouted_hours,
                "days": policy.waiting_days
                if reminder.kind == WAITING
                else policy.first_answer_days * (2 if reminder.kind == NO_FIRST_ANSWER_CENTRE else 1),
            }
            context = {
                "consultation": consultation,
                "confidential": consultation.confidential,
                "headline": headline,
                "excerpt": "",
                "url": settings.SITE_URL + consultation.get_absolute_url(),
            }
            subject = render_to_string("consultations/emails/notification_subject.txt", context).strip()
            body = render_to_string("consultations/emails/notification_body.txt", context)
        messages[reminder.pk] = registry.Message(subject=subject, body=body, url=context["url"])
    return messages


def _auto_close(reminders: list[Reminder]) -> dict:
    """Close each request still answered since the reminder's occasion; the close tells the requester (and the
    others taking part) through the usual status-change e-mail, so the reminder itself writes none."""
    from consultations.services import consultation_auto_close

    done = {}
    for reminder in reminders:
        with transaction.atomic():
            closed = consultation_auto_close(consultation_id=reminder.subject_id, episode=int(reminder.occasion))
        done[reminder.pk] = registry.HANDLED if closed else None
    return done


def plan_all() -> int:
    """Plan the reminders of every request that waits (manage.py plan_reminders). Returns how many requests."""
    from django.db.models import OuterRef, Subquery

    latest = (
        Event.objects.filter(consultation=OuterRef("pk"), kind__in=[EventKind.STATUS, EventKind.REROUTED])
        .order_by("-pk")
        .values("pk")[:1]
    )
    waiting = (
        Consultation.objects.filter(status__in=list(STATUS_OF.values()))
        .annotate(episode=Subquery(latest))
        .select_related("programme", "specialist")
    )
    events = {}
    count = 0
    for consultation in waiting.iterator(chunk_size=500):
        if consultation.episode is None:
            continue
        if consultation.episode not in events:
            events[consultation.episode] = Event.objects.values_list("created_at", flat=True).get(
                pk=consultation.episode
            )
        with transaction.atomic():
            plan(consultation, since=events[consultation.episode], episode=consultation.episode)
        count += 1
    return count


def register() -> None:
    registry.register_planner(plan_all)
    group = _("Requests")
    registry.register(
        registry.Kind(
            UNROUTED, _("Reminder: a request waits to be routed"), group, compose=_compose, order=20, roles=CENTRE_ROLES
        ),
        registry.Kind(
            NO_FIRST_ANSWER,
            _("Reminder: a request routed to you waits for a first answer"),
            group,
            compose=_compose,
            order=21,
            roles=frozenset({Role.SPECIALIST}),
        ),
        registry.Kind(
            NO_FIRST_ANSWER_CENTRE,
            _("Reminder: a routed request has had no first answer"),
            group,
            compose=_compose,
            order=22,
            roles=CENTRE_ROLES,
        ),
        registry.Kind(
            WAITING,
            _("Reminder: a specialist waits for your answer"),
            group,
            compose=_compose,
            order=23,
            roles=ORGANISATION_ROLES,
        ),
        registry.Kind(
            AUTO_CLOSE,
            _("A request closed automatically"),
            group,
            can_turn_off=False,
            compose=_auto_close,
            order=24,
            roles=ORGANISATION_ROLES,
        ),
    )
    # The e-mails each change sends (consultations.notify).
    registry.register(
        registry.Kind("consultation.submitted", _("A new request is filed"), group, order=10, roles=CENTRE_ROLES),
        registry.Kind("consultation.routed", _("A request is routed"), group, order=11),
        registry.Kind("consultation.rerouted", _("A request is routed to somebody else"), group, order=12),
        registry.Kind("consultation.assigned", _("A request is routed to you"), group, can_turn_off=False, order=13),
        registry.Kind("consultation.reply", _("A reply is posted"), group, can_turn_off=False, order=14),
        registry.Kind("consultation.note", _("An internal note is added"), group, order=15),
        registry.Kind("consultation.handed_back", _("A request is handed back"), group, order=16),
        *[
            registry.Kind(
                f"consultation.{status}",
                format_lazy(_("A request becomes “{status}”"), status=label),
                group,
                can_turn_off=False,
                order=17,
            )
            for status, label in Status.choices
            if status not in (Status.DRAFT, Status.SUBMITTED, Status.ROUTED)
        ],
    )
