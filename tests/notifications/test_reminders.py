"""The reminder engine: planned in the feature's transaction, kept or moved or cancelled by planning again, turned
into exactly one notification by the sweep, also when two sweeps run at the same moment."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import registry
from notifications.models import Delivery, Notification, Preference, Reminder, ReminderState
from notifications.reminders import Planned, reminders_cancel, reminders_plan, reminders_sweep
from notifications.services import outbox_sweep
from tests import factories
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db

KIND = "test.ping"
COMPOSED = []


def _compose(reminders):
    COMPOSED.append(len(reminders))
    return {
        r.pk: None
        if r.occasion == "gone"
        else registry.Message(subject=f"リマインダー {r.occasion}", body="本文です。\n", url="http://x/1/")
        for r in reminders
    }


@pytest.fixture(autouse=True)
def test_kind():
    registry.register(registry.Kind(KIND, "Test reminder", "Tests", compose=_compose))
    COMPOSED.clear()
    yield


def _due(minutes=-1):
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_planning_again_keeps_moves_revives_and_cancels(programme, municipal_user, coordinator):
    soon, later = _due(60), _due(120)
    with transaction.atomic():
        reminders_plan(
            programme, [Planned(KIND, municipal_user, "a", soon), Planned(KIND, coordinator, "a", soon)], kinds=[KIND]
        )
    assert Reminder.objects.filter(state=ReminderState.PENDING).count() == 2
    # Moved: same occasion, new moment; the coordinator is no longer wanted.
    reminders_plan(programme, [Planned(KIND, municipal_user, "a", later)], kinds=[KIND])
    mine = Reminder.objects.get(recipient=municipal_user)
    assert (mine.state, mine.due_at) == (ReminderState.PENDING, later)
    assert Reminder.objects.get(recipient=coordinator).state == ReminderState.CANCELLED
    # Wanted again: the cancelled row comes back, no second row.
    reminders_plan(
        programme, [Planned(KIND, municipal_user, "a", later), Planned(KIND, coordinator, "a", later)], kinds=[KIND]
    )
    assert Reminder.objects.count() == 2
    assert set(Reminder.objects.values_list("state", flat=True)) == {ReminderState.PENDING}
    assert reminders_cancel(programme, kinds=[KIND]) == 2


def test_a_due_reminder_becomes_one_notification_and_is_never_sent_again(programme, municipal_user):
    wanted = [Planned(KIND, municipal_user, "a", _due()), Planned(KIND, municipal_user, "b", _due(30))]  # b: later
    reminders_plan(programme, wanted, kinds=[KIND])
    assert outbox_sweep()["reminders"] == 1
    reminder = Reminder.objects.get(occasion="a")
    assert reminder.state == ReminderState.SENT and reminder.notification is not None
    assert [m.subject for m in mail.outbox] == ["リマインダー a"]
    assert mail.outbox[0].to == [municipal_user.email]
    # Sweeping again, or planning the sent occasion again, sends nothing more.
    reminders_plan(programme, wanted, kinds=[KIND])
    assert outbox_sweep()["reminders"] == 0
    assert len(mail.outbox) == 1
    assert Reminder.objects.get(occasion="a").state == ReminderState.SENT


def test_a_reminder_no_longer_needed_is_skipped(programme, municipal_user):
    reminders_plan(programme, [Planned(KIND, municipal_user, "gone", _due())], kinds=[KIND])
    reminders_sweep()
    assert Reminder.objects.get().state == ReminderState.SKIPPED
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_turned_off_means_no_mail_and_digest_waits(programme, municipal_user, coordinator):
    Preference.objects.create(user=municipal_user, kind=KIND, delivery=Delivery.OFF)
    Preference.objects.create(user=coordinator, kind=KIND, delivery=Delivery.DIGEST)
    reminders_plan(
        programme, [Planned(KIND, municipal_user, "a", _due()), Planned(KIND, coordinator, "a", _due())], kinds=[KIND]
    )
    outbox_sweep()
    assert Reminder.objects.get(recipient=municipal_user).state == ReminderState.SKIPPED
    waiting = Notification.objects.get()
    assert waiting.recipient == coordinator and waiting.digest and waiting.sent_at is None
    assert mail.outbox == []


def test_a_batch_costs_a_fixed_number_of_queries(programme, django_assert_max_num_queries):
    people = factories.UserFactory.create_batch(3, programme=programme)
    reminders_plan(programme, [Planned(KIND, p, "a", _due()) for p in people], kinds=[KIND])
    with django_assert_max_num_queries(9) as few:
        reminders_sweep(now=timezone.now())
    many_people = factories.UserFactory.create_batch(30, programme=programme)
    reminders_plan(programme, [Planned(KIND, p, "b", _due()) for p in many_people], kinds=[KIND])
    with django_assert_max_num_queries(len(few.captured_queries)):
        reminders_sweep(now=timezone.now())
    assert Notification.objects.count() == 33


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_write_each_reminder_once(programme):
    people = factories.UserFactory.create_batch(40, programme=programme)
    reminders_plan(programme, [Planned(KIND, p, "a", _due()) for p in people], kinds=[KIND])
    results = run_together(*[lambda: reminders_sweep(batch=7)] * 3)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 40  # SKIP LOCKED: each row taken by exactly one sweep
    assert Notification.objects.count() == 40
    assert Reminder.objects.filter(state=ReminderState.SENT).count() == 40
