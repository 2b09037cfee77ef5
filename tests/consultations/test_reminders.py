"""Requests that wait are reminded of: planned on each change, cancelled by the next, at the programme's thresholds
in business hours and days; an answered request closes after K days, once."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from consultations import reminders, services
from consultations.enums import EventKind, Status
from consultations.models import Event
from dxshare.business_days import business_days_after, business_hours_after
from municipalities.services import reminder_policy_update
from notifications.models import Notification, Reminder, ReminderState
from notifications.services import outbox_sweep
from specialists.enums import Domain
from tests import factories
from tests.consultations.conftest import make_request

pytestmark = pytest.mark.django_db


def settled():
    """The e-mails the changes wrote are out (in the tests their transaction never commits, so the sweep would
    hand them over late): what a sweep sends after this is the reminders'."""
    Notification.objects.update(sent_at=timezone.now())
    mail.outbox.clear()


def pending(consultation):
    return {
        (r.kind, r.recipient_id): r.due_at
        for r in Reminder.objects.filter(
            subject_id=consultation.pk, state=ReminderState.PENDING, kind__in=reminders.KINDS
        )
    }


def status_event(consultation):
    return Event.objects.filter(consultation=consultation, kind=EventKind.STATUS).latest("pk")


def test_a_submitted_request_reminds_the_coordinators_after_n_business_hours(coordinator, submitted):
    submitted_at = status_event(submitted).created_at
    assert pending(submitted) == {(reminders.UNROUTED, coordinator.pk): business_hours_after(submitted_at, 8)}


def test_routing_moves_the_clock_to_the_specialist_then_the_coordinators(coordinator, routed):
    routed_at = status_event(routed).created_at
    specialist_user = routed.specialist.user
    assert pending(routed) == {
        (reminders.NO_FIRST_ANSWER, specialist_user.pk): business_days_after(routed_at, 3),
        (reminders.NO_FIRST_ANSWER_CENTRE, coordinator.pk): business_days_after(routed_at, 6),
    }
    assert Reminder.objects.get(kind=reminders.UNROUTED).state == ReminderState.CANCELLED
    # The first answer ends the wait: nothing pending any more.
    services.consultation_reply(consultation=routed, author=specialist_user, body="確認します。")
    assert pending(routed) == {}


def test_re_routing_before_a_first_answer_starts_the_new_specialists_clock(routed, coordinator, five_specialists):
    data = five_specialists[Domain.DATA]
    services.consultation_route(
        consultation=routed,
        specialist=data,
        by=coordinator,
        reason="データ分野",
        expected_specialist_id=routed.specialist_id,
    )
    assert {kind for kind, _user in pending(routed)} == {reminders.NO_FIRST_ANSWER, reminders.NO_FIRST_ANSWER_CENTRE}
    assert (reminders.NO_FIRST_ANSWER, data.user_id) in pending(routed)
    assert not any(user == five_specialists[Domain.DESIGN].user_id for _kind, user in pending(routed))


def test_waiting_for_the_municipality_reminds_the_requester(routed, municipal_user):
    services.consultation_reply(
        consultation=routed, author=routed.specialist.user, body="資料を頂けますか。", then=Status.WAITING
    )
    routed.refresh_from_db()
    assert routed.status == Status.WAITING
    since = status_event(routed).created_at
    assert pending(routed) == {(reminders.WAITING, municipal_user.pk): business_days_after(since, 5)}
    later = business_days_after(since, 5) + dt.timedelta(minutes=1)
    settled()
    outbox_sweep(now=later)
    assert [m.to for m in mail.outbox] == [[municipal_user.email]]
    assert "回答をお待ちしています" in mail.outbox[0].body or "待って" in mail.outbox[0].body
    assert Reminder.objects.get(kind=reminders.WAITING).state == ReminderState.SENT
    # The requester answers: nothing more is pending, and a second sweep sends nothing.
    sent = len(mail.outbox)
    outbox_sweep(now=later + dt.timedelta(days=1))
    assert len(mail.outbox) == sent


def test_the_unrouted_reminder_reaches_each_coordinator_once_in_their_language(coordinator, submitted, programme):
    english = factories.UserFactory(role="coordinator", programme=programme, language="en", full_name="Coord EN")
    reminders.plan(submitted, since=status_event(submitted).created_at, episode=status_event(submitted).pk)
    due = max(pending(submitted).values())
    settled()
    outbox_sweep(now=due)
    outbox_sweep(now=due + dt.timedelta(hours=1))
    subjects = {tuple(m.to): m.body for m in mail.outbox}
    assert len(mail.outbox) == 2
    japanese = subjects[(coordinator.email,)]
    assert "振り分け" in japanese and submitted.reference in japanese
    assert "waited 8 business hours to be routed" in subjects[(english.email,)]


def test_an_answered_request_closes_after_k_days_once_and_tells_the_requester(routed, municipal_user):
    services.consultation_change_status(consultation=routed, to_status=Status.ANSWERED, by=routed.specialist.user)
    routed.refresh_from_db()
    due = routed.answered_at + dt.timedelta(days=14)
    assert pending(routed) == {(reminders.AUTO_CLOSE, municipal_user.pk): due}
    outbox_sweep(now=due - dt.timedelta(minutes=1))
    routed.refresh_from_db()
    assert routed.status == Status.ANSWERED
    settled()
    outbox_sweep(now=due)
    outbox_sweep(now=due + dt.timedelta(days=1))
    routed.refresh_from_db()
    assert routed.status == Status.CLOSED
    assert Event.objects.filter(consultation=routed, kind=EventKind.AUTO_CLOSED).count() == 1
    to_requester = [m for m in mail.outbox if municipal_user.email in m.to[0]]
    assert len(to_requester) == 1 and routed.reference in to_requester[0].subject


def test_a_request_answered_again_is_not_closed_by_the_first_answers_reminder(routed, municipal_user):
    specialist = routed.specialist.user
    services.consultation_change_status(consultation=routed, to_status=Status.ANSWERED, by=specialist)
    first = status_event(routed).pk
    services.consultation_reply(consultation=routed, author=municipal_user, body="追加の質問です。")
    services.consultation_change_status(consultation=routed, to_status=Status.ANSWERED, by=specialist)
    assert not services.consultation_auto_close(consultation_id=routed.pk, episode=first)
    routed.refresh_from_db()
    assert routed.status == Status.ANSWERED
    assert Reminder.objects.filter(kind=reminders.AUTO_CLOSE, state=ReminderState.PENDING).count() == 1


def test_new_thresholds_move_what_is_pending(routed, coordinator, programme):
    routed_at = status_event(routed).created_at
    reminder_policy_update(programme=programme, by=coordinator, fields={"first_answer_days": 5})
    assert pending(routed)[(reminders.NO_FIRST_ANSWER, routed.specialist.user_id)] == business_days_after(routed_at, 5)
    assert pending(routed)[(reminders.NO_FIRST_ANSWER_CENTRE, coordinator.pk)] == business_days_after(routed_at, 10)


def test_a_reminder_for_someone_who_left_the_centre_is_skipped(coordinator, submitted):
    due = max(pending(submitted).values())
    coordinator.role = "specialist"
    coordinator.save(update_fields=["role"])
    outbox_sweep(now=due)
    assert Reminder.objects.get(kind=reminders.UNROUTED).state == ReminderState.SKIPPED


def test_plan_reminders_command_plans_what_waits_and_is_safe_to_repeat(coordinator, municipal_user, five_specialists):
    from django.core.management import call_command

    waiting = make_request(municipal_user)
    Reminder.objects.all().delete()  # as before the upgrade that brought reminders
    call_command("plan_reminders")
    call_command("plan_reminders")
    assert Reminder.objects.filter(subject_id=waiting.pk, kind=reminders.UNROUTED).count() == 1
    assert timezone.now() < Reminder.objects.get(subject_id=waiting.pk).due_at
