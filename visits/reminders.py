"""Reminders of visits, events and follow-up actions, planned by the services in the same transaction as each change.

| subject     | reminder                                 | who                                           |
|-------------|------------------------------------------|-----------------------------------------------|
| a visit     | the day before, at REMINDER_HOUR         | its specialists and the municipal participants |
| an event    | 7 days and 1 day before                  | those registered (not the waiting list)       |
| a follow-up | the day before it is due; the day after  | its owner, while it is not done               |

Each reminder's occasion is the day it is about (the visit's day, the follow-up's due date): moving a visit to another
day cancels the pending reminder of the old day and plans one for the new day; cancelling it or marking it done
cancels what is pending. Compose checks again, when the reminder falls due, that it still applies.
"""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications import registry
from notifications.reminders import Planned, reminders_plan
from visits.enums import EventStatus, RegistrationStatus, TripStatus
from visits.models import Event, FollowUp, Registration, Trip, Visit

VISIT_TOMORROW = "visit.tomorrow"
EVENT_IN_7_DAYS = "event.in_7_days"
EVENT_TOMORROW = "event.tomorrow"
FOLLOW_UP_DUE = "follow_up.due_tomorrow"
FOLLOW_UP_OVERDUE = "follow_up.overdue"
PLACE_FREED = "event.place_freed"


def _at_reminder_hour(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(settings.REMINDER_HOUR)))


def _day_before(day: dt.date, now: dt.datetime, *, days: int = 1) -> dt.datetime | None:
    """When to remind of something on `day`, `days` before at REMINDER_HOUR; at once if that moment has passed
    but the day is still ahead (planned this afternoon for tomorrow); None if the day has come."""
    if day <= timezone.localdate(now):
        return None
    due = _at_reminder_hour(day - dt.timedelta(days=days))
    if due >= now:
        return due
    return now if days == 1 else None  # a week's notice given late is not given at all; the day before still is


# --- Planning -------------------------------------------------------------------------------------------------------


def plan_trip(trip: Trip, *, now: dt.datetime | None = None) -> None:
    """A planned visit reminds its specialists and participants the day before; a done or cancelled one nobody."""
    now = now or timezone.now()
    wanted = []
    if trip.status == TripStatus.PLANNED:
        day = timezone.localdate(trip.starts_at)
        due = _day_before(day, now)
        if due is not None:
            people = set(Visit.objects.filter(trip=trip).values_list("specialist__user_id", flat=True))
            people |= set(trip.participants.values_list("pk", flat=True))
            wanted = [Planned(VISIT_TOMORROW, pk, day.isoformat(), due) for pk in sorted(people)]
    reminders_plan(trip, wanted, kinds=[VISIT_TOMORROW], now=now)


def plan_event(event: Event, *, now: dt.datetime | None = None) -> None:
    """An open event reminds each registered person a week and a day before; a cancelled one nobody."""
    now = now or timezone.now()
    wanted = []
    if event.status != EventStatus.CANCELLED:
        day = timezone.localdate(event.starts_at)
        people = sorted(
            event.registrations.filter(status=RegistrationStatus.REGISTERED).values_list("user_id", flat=True)
        )
        for kind, days in ((EVENT_IN_7_DAYS, 7), (EVENT_TOMORROW, 1)):
            due = _day_before(day, now, days=days)
            if due is not None:
                wanted += [Planned(kind, pk, day.isoformat(), due) for pk in people]
    reminders_plan(event, wanted, kinds=[EVENT_IN_7_DAYS, EVENT_TOMORROW], now=now)


def plan_follow_up(follow_up: FollowUp, *, now: dt.datetime | None = None) -> None:
    """An open action reminds its owner the day before it is due and, if still open, the day after."""
    now = now or timezone.now()
    wanted = []
    if follow_up.done_at is None:
        occasion = follow_up.due_on.isoformat()
        before = _day_before(follow_up.due_on, now)
        if before is not None:
            wanted.append(Planned(FOLLOW_UP_DUE, follow_up.owner_id, occasion, before))
        wanted.append(
            Planned(
                FOLLOW_UP_OVERDUE,
                follow_up.owner_id,
                occasion,
                max(_at_reminder_hour(follow_up.due_on + dt.timedelta(days=1)), now),
            )
        )
    reminders_plan(follow_up, wanted, kinds=[FOLLOW_UP_DUE, FOLLOW_UP_OVERDUE], now=now)


# --- Writing them (the sweep calls compose with a batch of one kind; a fixed number of queries per batch) ----------


def _when(start: dt.datetime, end: dt.datetime) -> str:
    start, end = timezone.localtime(start), timezone.localtime(end)
    same_day = start.date() == end.date()
    return (
        f"{date_format(start, 'DATETIME_FORMAT')}–{date_format(end, 'TIME_FORMAT' if same_day else 'DATETIME_FORMAT')}"
    )


def _line(label: str, value) -> str:
    return f"{label}: {value}"


def _paths(name: str):
    """pk → the object's path, with one reverse() for a batch (reverse costs 0.1 ms; a batch holds 500)."""
    pattern = reverse(name, kwargs={"pk": 0})
    return lambda pk: pattern.replace("/0/", f"/{pk}/")


def _message(user, subject: str, lines: list[str], path: str) -> registry.Message:
    url = settings.SITE_URL + path
    body = "\n".join([*lines, "", gettext("Open it:") + " " + url, ""])
    return registry.Message(subject=subject, body=body, url=url)


def _compose_visits(reminders: list) -> dict:
    visit_path = _paths("visits:visit")
    trips = Trip.objects.select_related("municipality").in_bulk({r.subject_id for r in reminders})
    people: dict[int, set[int]] = {pk: set() for pk in trips}
    names: dict[int, list[str]] = {pk: [] for pk in trips}
    for trip_id, user_id, name in (
        Visit.objects.filter(trip_id__in=trips)
        .order_by("id")
        .values_list("trip_id", "specialist__user_id", "specialist__user__full_name")
    ):
        people[trip_id].add(user_id)
        names[trip_id].append(name)
    for trip_id, user_id in Trip.participants.through.objects.filter(trip_id__in=trips).values_list(
        "trip_id", "user_id"
    ):
        people[trip_id].add(user_id)
    messages = {}
    for reminder in reminders:
        trip, user = trips.get(reminder.subject_id), reminder.recipient
        if (
            trip is None
            or trip.status != TripStatus.PLANNED
            or timezone.localdate(trip.starts_at).isoformat() != reminder.occasion
            or user.pk not in people[trip.pk]
            or not user.is_active
        ):
            messages[reminder.pk] = None
            continue
        with translation.override(user.language):
            place = trip.municipality.display_name
            subject = gettext("[dxshare] Tomorrow: visit to %(place)s") % {"place": place}
            lines = [
                gettext("Reminder: a visit tomorrow.")
                if trip.mode == "onsite"
                else gettext("Reminder: an online meeting tomorrow."),
                "",
                _line(gettext("Municipality"), place),
                _line(gettext("When"), _when(trip.starts_at, trip.ends_at)),
                _line(gettext("Purpose"), trip.purpose),
            ]
            if trip.place:
                lines.append(_line(gettext("Place"), trip.place))
            if names[trip.pk]:
                lines.append(_line(gettext("Specialists"), ", ".join(names[trip.pk])))
            messages[reminder.pk] = _message(user, subject, lines, visit_path(trip.pk))
    return messages


def _compose_events(reminders: list) -> dict:
    event_path = _paths("visits:event")
    events = Event.objects.in_bulk({r.subject_id for r in reminders})
    registered = set(
        Registration.objects.filter(event_id__in=events, status=RegistrationStatus.REGISTERED).values_list(
            "event_id", "user_id"
        )
    )
    messages = {}
    for reminder in reminders:
        event, user = events.get(reminder.subject_id), reminder.recipient
        if (
            event is None
            or event.status == EventStatus.CANCELLED
            or timezone.localdate(event.starts_at).isoformat() != reminder.occasion
            or (event.pk, user.pk) not in registered
            or not user.is_active
        ):
            messages[reminder.pk] = None
            continue
        with translation.override(user.language):
            if reminder.kind == EVENT_TOMORROW:
                subject = gettext("[dxshare] Tomorrow: %(title)s") % {"title": event.title}
            else:
                subject = gettext("[dxshare] In a week: %(title)s") % {"title": event.title}
            lines = [
                gettext("Reminder: you are registered for this event."),
                "",
                event.title,
                _line(gettext("When"), _when(event.starts_at, event.ends_at)),
            ]
            if event.venue:
                lines.append(_line(gettext("Venue"), event.venue))
            if event.online_url:
                lines.append(_line(gettext("Online link"), event.online_url))
            messages[reminder.pk] = _message(user, subject, lines, event_path(event.pk))
    return messages


def _compose_follow_ups(reminders: list) -> dict:
    visit_path = _paths("visits:visit")
    follow_ups = FollowUp.objects.select_related("trip__municipality").in_bulk({r.subject_id for r in reminders})
    messages = {}
    for reminder in reminders:
        action, user = follow_ups.get(reminder.subject_id), reminder.recipient
        if (
            action is None
            or action.done_at is not None
            or action.owner_id != user.pk
            or action.due_on.isoformat() != reminder.occasion
            or not user.is_active
        ):
            messages[reminder.pk] = None
            continue
        with translation.override(user.language):
            due = date_format(action.due_on, "DATE_FORMAT")
            if reminder.kind == FOLLOW_UP_DUE:
                subject = gettext("[dxshare] Due tomorrow: %(action)s") % {"action": action.description}
                headline = gettext("Reminder: this action of a visit is due tomorrow.")
            else:
                subject = gettext("[dxshare] Overdue: %(action)s") % {"action": action.description}
                headline = gettext("This action of a visit was due on %(date)s and is not marked done.") % {"date": due}
            lines = [
                headline,
                "",
                action.description,
                _line(gettext("Due on"), due),
                _line(gettext("Visit"), f"{action.trip.municipality.display_name} {action.trip.purpose}"),
            ]
            messages[reminder.pk] = _message(user, subject, lines, visit_path(action.trip_id))
    return messages


def plan_all() -> int:
    """Plan the reminders of every visit, event and action still ahead (manage.py plan_reminders)."""
    from django.db import transaction

    now = timezone.now()
    count = 0
    for trip in Trip.objects.filter(status=TripStatus.PLANNED, starts_at__gt=now).iterator(chunk_size=500):
        with transaction.atomic():
            plan_trip(trip, now=now)
        count += 1
    for event in Event.objects.exclude(status=EventStatus.CANCELLED).filter(starts_at__gt=now).iterator():
        with transaction.atomic():
            plan_event(event, now=now)
        count += 1
    for follow_up in FollowUp.objects.filter(done_at__isnull=True).iterator(chunk_size=500):
        with transaction.atomic():
            plan_follow_up(follow_up, now=now)
        count += 1
    return count


def register() -> None:
    registry.register_planner(plan_all)
    visits, events = _("Visits"), _("Events")
    registry.register(
        registry.Kind(VISIT_TOMORROW, _("Reminder: a visit tomorrow"), visits, compose=_compose_visits, order=30),
        registry.Kind(
            FOLLOW_UP_DUE, _("Reminder: an action due tomorrow"), visits, compose=_compose_follow_ups, order=31
        ),
        registry.Kind(
            FOLLOW_UP_OVERDUE, _("Reminder: an action overdue"), visits, compose=_compose_follow_ups, order=32
        ),
        registry.Kind(EVENT_IN_7_DAYS, _("Reminder: an event in a week"), events, compose=_compose_events, order=40),
        registry.Kind(EVENT_TOMORROW, _("Reminder: an event tomorrow"), events, compose=_compose_events, order=41),
        registry.Kind(PLACE_FREED, _("A place on an event is yours"), events, can_turn_off=False, order=42),
    )
