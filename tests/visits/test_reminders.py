"""Reminders of visits, events and follow-up actions: planned with each change, moved or cancelled with it, sent once
to the right people, never for what was cancelled or done."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Notification, Reminder, ReminderState
from notifications.services import outbox_sweep
from specialists.enums import Domain
from tests.visits.conftest import at
from visits import reminders, services

pytestmark = pytest.mark.django_db


def pending(kind):
    return sorted(
        (r.recipient_id, r.occasion, r.due_at) for r in Reminder.objects.filter(kind=kind, state=ReminderState.PENDING)
    )


def nine_am(day: dt.date) -> dt.datetime:
    return at(day.year, day.month, day.day, 9)


def test_a_planned_visit_reminds_its_specialists_and_participants_the_day_before(plan, team, municipal_user):
    start = timezone.localtime(timezone.now() + dt.timedelta(days=10)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    trip = plan(
        start, specialists=(Domain.DESIGN, Domain.DATA), participants=[municipal_user], place="市役所 3階会議室"
    )
    eve = nine_am(start.date() - dt.timedelta(days=1))
    people = sorted([team[Domain.DESIGN].user_id, team[Domain.DATA].user_id, municipal_user.pk])
    assert pending(reminders.VISIT_TOMORROW) == [(pk, start.date().isoformat(), eve) for pk in people]

    # Moved two days later: the old day's reminders are cancelled, the new day's planned.
    moved = start + dt.timedelta(days=2)
    services.trip_update(
        by=trip.created_by,
        trip=trip,
        specialists=[team[Domain.DESIGN]],
        participants=[municipal_user],
        starts_at=moved,
        ends_at=moved + dt.timedelta(hours=2),
    )
    new_eve = nine_am(moved.date() - dt.timedelta(days=1))
    assert pending(reminders.VISIT_TOMORROW) == sorted(
        (pk, moved.date().isoformat(), new_eve) for pk in [team[Domain.DESIGN].user_id, municipal_user.pk]
    )
    assert Reminder.objects.filter(kind=reminders.VISIT_TOMORROW, state=ReminderState.CANCELLED).count() == 3

    # The sweep on the eve sends one mail each, in Japanese, with the link.
    outbox_sweep(now=new_eve)
    outbox_sweep(now=new_eve + dt.timedelta(minutes=5))
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert "明日" in message.subject and trip.municipality.name in message.subject
    assert f"/visits/{trip.pk}/" in message.body
    assert "目的: 窓口DXの打合せ" in message.body and "場所: 市役所 3階会議室" in message.body  # labels in Japanese


def test_a_cancelled_visit_reminds_nobody(plan, coordinator):
    trip = plan()
    assert pending(reminders.VISIT_TOMORROW)
    services.trip_cancel(by=coordinator, trip=trip, reason="台風のため")
    assert pending(reminders.VISIT_TOMORROW) == []
    outbox_sweep(now=timezone.now() + dt.timedelta(days=30))
    assert mail.outbox == []


def test_a_visit_cancelled_behind_the_services_back_is_still_not_reminded(plan):
    """compose checks again when the reminder falls due."""
    from visits.models import Trip

    trip = plan()
    Trip.objects.filter(pk=trip.pk).update(status="cancelled")
    outbox_sweep(now=timezone.now() + dt.timedelta(days=30))
    assert mail.outbox == []
    assert set(Reminder.objects.values_list("state", flat=True)) == {ReminderState.SKIPPED}


def test_a_visit_planned_this_afternoon_for_tomorrow_is_reminded_at_once_and_today_not_at_all(plan):
    trip = plan(at(2030, 5, 15, 10))
    afternoon_before = at(2030, 5, 14, 15)
    reminders.plan_trip(trip, now=afternoon_before)
    assert {due for _pk, _occasion, due in pending(reminders.VISIT_TOMORROW)} == {afternoon_before}
    reminders.plan_trip(trip, now=at(2030, 5, 15, 8))  # the day has come: no reminder any more
    assert pending(reminders.VISIT_TOMORROW) == []


def test_an_event_reminds_the_registered_a_week_and_a_day_before(make_event, municipal_user, colleague):
    event = make_event(capacity=1, starts_at=at(2030, 2, 10, 13))
    services.event_register(by=municipal_user, event=event, person=municipal_user)
    services.event_register(by=municipal_user, event=event, person=colleague)  # waiting list: no reminder
    assert pending(reminders.EVENT_IN_7_DAYS) == [(municipal_user.pk, "2030-02-10", nine_am(dt.date(2030, 2, 3)))]
    assert pending(reminders.EVENT_TOMORROW) == [(municipal_user.pk, "2030-02-10", nine_am(dt.date(2030, 2, 9)))]

    # The first cancels: the colleague moves up, is told at once, and now has the reminders.
    registration = event.registrations.get(user=municipal_user)
    services.registration_cancel(by=municipal_user, registration=registration)
    told = Notification.objects.get(kind=reminders.PLACE_FREED)
    assert told.recipient == colleague and not told.digest  # at once, after the cancellation commits
    assert [pk for pk, _o, _d in pending(reminders.EVENT_TOMORROW)] == [colleague.pk]

    # The event moves a day later: the reminders move with it.
    fields = {
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "venue": event.venue,
        "online_url": "",
        "starts_at": at(2030, 2, 11, 13),
        "ends_at": at(2030, 2, 11, 19),
        "capacity": 1,
        "audience": event.audience,
    }
    services.event_update(by=event.created_by, event=event, fields=fields)
    assert pending(reminders.EVENT_TOMORROW) == [(colleague.pk, "2030-02-11", nine_am(dt.date(2030, 2, 10)))]

    # Cancelled: nobody is reminded.
    services.event_cancel(by=event.created_by, event=event)
    assert pending(reminders.EVENT_TOMORROW) == [] and pending(reminders.EVENT_IN_7_DAYS) == []


def test_the_week_before_reminder_is_sent_once_in_english(make_event, municipal_user):
    municipal_user.language = "en"
    municipal_user.save(update_fields=["language"])
    event = make_event(starts_at=at(2030, 2, 10, 13), title="Winter camp")
    services.event_register(by=municipal_user, event=event, person=municipal_user)
    mail.outbox.clear()
    outbox_sweep(now=nine_am(dt.date(2030, 2, 3)))
    outbox_sweep(now=nine_am(dt.date(2030, 2, 3)) + dt.timedelta(hours=2))
    assert [m.subject for m in mail.outbox] == ["[dxshare] In a week: Winter camp"]


def test_follow_ups_remind_their_owner_before_and_after_the_due_date_until_done(plan, coordinator, municipal_user):
    trip = plan()
    due_on = timezone.localdate() + dt.timedelta(days=5)
    action = services.follow_up_add(
        by=coordinator, trip=trip, description="申請様式を送る", owner=municipal_user, due_on=due_on
    )
    assert pending(reminders.FOLLOW_UP_DUE) == [
        (municipal_user.pk, due_on.isoformat(), nine_am(due_on - dt.timedelta(days=1)))
    ]
    assert pending(reminders.FOLLOW_UP_OVERDUE) == [
        (municipal_user.pk, due_on.isoformat(), nine_am(due_on + dt.timedelta(days=1)))
    ]
    outbox_sweep(now=nine_am(due_on - dt.timedelta(days=1)))
    assert len(mail.outbox) == 1 and "申請様式を送る" in mail.outbox[0].subject
    services.follow_up_done(by=municipal_user, follow_up=action)
    assert pending(reminders.FOLLOW_UP_OVERDUE) == []
    outbox_sweep(now=nine_am(due_on + dt.timedelta(days=2)))
    assert [m for m in mail.outbox if "申請様式を送る" in m.subject] == [mail.outbox[0]]  # no "overdue" after done
