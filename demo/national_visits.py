"""National-scale visits and events for benchmarks: `visits_fill(visits=1_000_000, events=20_000)` spreads them over
the 47 benchmark programmes of demo.national (run national_fill first), over the last five fiscal years and the
next three months. Each programme's first member (its prefectural capital, by code) is its busiest municipality,
with five times the share of the others. As the services would: one visit row per specialist on a trip, the
counting rule's unique key respected, done or cancelled in the past and planned ahead; events with organisers and
registrations. Bulk inserts through the models; the portal never uses this module."""

import datetime as dt
import random
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from dxshare.fiscal import fiscal_year_of
from municipalities.models import LocalGovernment, Programme
from specialists.models import Specialist
from visits.enums import Audience, EventKind, EventStatus, Mode, RegistrationStatus, TripStatus
from visits.models import Event, Registration, Trip, Visit

YEARS = 5
BATCH = 5000
PURPOSES = ["窓口DXの打合せ", "DX推進計画のレビュー", "データ活用の勉強会", "官民共創の相談", "広報の見直し"]


@contextmanager
def _historical_times():
    fields = [Trip._meta.get_field(name) for name in ("created_at", "updated_at")]
    fields += [Event._meta.get_field(name) for name in ("created_at", "updated_at")]
    fields += [Registration._meta.get_field(name) for name in ("created_at", "updated_at")]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def visits_fill(*, visits: int, events: int, now: dt.datetime | None = None) -> tuple[int, int]:
    """Add about `visits` visits and `events` events across the benchmark programmes (once: a programme that has
    trips already is left alone). Returns what was added."""
    now = now or timezone.now()
    programmes = list(Programme.objects.filter(slug__startswith="nat-").select_related("prefecture").order_by("slug"))
    if not programmes:
        return 0, 0
    added_visits = added_events = 0
    for index, programme in enumerate(programmes):
        if Trip.objects.filter(programme=programme).exists():
            continue
        rng = random.Random(index + 1)
        with _historical_times():
            added_visits += _fill_visits(programme, visits // len(programmes), rng, now)
            added_events += _fill_events(programme, events // len(programmes), rng, now)
    return added_visits, added_events


def _moment(rng: random.Random, now: dt.datetime) -> dt.datetime:
    tokyo = timezone.get_default_timezone()
    day = timezone.localdate(now) - dt.timedelta(days=rng.randint(-90, 365 * YEARS))
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(rng.choice([9, 10, 13, 14, 15])), tzinfo=tokyo)


@transaction.atomic
def _fill_visits(programme: Programme, count: int, rng: random.Random, now: dt.datetime) -> int:
    members = list(LocalGovernment.objects.filter(membership__programme=programme).order_by("code"))
    specialists = list(Specialist.objects.filter(user__programme=programme).order_by("domain"))
    coordinator = User.objects.filter(programme=programme, role=Role.COORDINATOR).first()
    if not members or not specialists or coordinator is None:
        return 0
    weights = [5] + [1] * (len(members) - 1)
    used: set[tuple[int, int, dt.date, str]] = set()
    trips, teams = [], []
    made = 0
    while made < count:
        town = rng.choices(members, weights)[0]
        start = _moment(rng, now)
        mode = Mode.ONLINE if rng.random() < 0.15 else Mode.ONSITE
        team = rng.sample(specialists, 2 if rng.random() < 0.2 else 1)
        day = start.astimezone(timezone.get_default_timezone()).date()
        keys = [(s.pk, town.pk, day, mode) for s in team]
        if any(key in used for key in keys):
            continue
        if start < now:
            status = TripStatus.CANCELLED if rng.random() < 0.06 else TripStatus.DONE
        else:
            status = TripStatus.PLANNED
        if status != TripStatus.CANCELLED:
            used.update(keys)
        stamp = min(start + dt.timedelta(hours=3), now) if start < now else start - dt.timedelta(days=14)
        trips.append(
            Trip(
                programme=programme,
                municipality=town,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                mode=mode,
                purpose=rng.choice(PURPOSES),
                place=f"{town.name}役場" if mode == Mode.ONSITE else "",
                status=status,
                outcome="方針を合意しました。" if status == TripStatus.DONE else "",
                created_by=coordinator,
                created_at=start - dt.timedelta(days=14),
                updated_at=stamp,
            )
        )
        teams.append(team)
        made += len(team)
        if len(trips) >= BATCH:
            _flush(trips, teams)
            trips, teams = [], []
    _flush(trips, teams)
    return made


def _flush(trips: list[Trip], teams: list[list[Specialist]]) -> None:
    Trip.objects.bulk_create(trips, batch_size=BATCH)
    rows = []
    for trip, team in zip(trips, teams, strict=True):
        day = trip.starts_at.astimezone(timezone.get_default_timezone()).date()
        rows += [
            Visit(
                trip=trip,
                specialist=specialist,
                programme_id=trip.programme_id,
                municipality_id=trip.municipality_id,
                day=day,
                fiscal_year=fiscal_year_of(day),
                mode=trip.mode,
                status=trip.status,
            )
            for specialist in team
        ]
    Visit.objects.bulk_create(rows, batch_size=BATCH)


@transaction.atomic
def _fill_events(programme: Programme, count: int, rng: random.Random, now: dt.datetime) -> int:
    coordinator = User.objects.filter(programme=programme, role=Role.COORDINATOR).first()
    staff = list(User.objects.filter(programme=programme, role=Role.MUNICIPAL).order_by("email"))
    if coordinator is None or count <= 0:
        return 0
    kinds = [EventKind.WORKSHOP, EventKind.SEMINAR, EventKind.TRAINING, EventKind.SUMMER_CAMP, EventKind.WINTER_CAMP]
    events = []
    for number in range(count):
        start = _moment(rng, now).replace(hour=13)
        events.append(
            Event(
                programme=programme,
                kind=kinds[number % len(kinds)],
                title=f"DX研修 第{number + 1}回",
                description="市町職員向けの研修です。",
                venue="県庁 大会議室",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=4),
                capacity=30,
                audience=Audience.PROGRAMME,
                status=EventStatus.OPEN,
                created_by=coordinator,
                created_at=start - dt.timedelta(days=60),
                updated_at=start - dt.timedelta(days=30),
            )
        )
    Event.objects.bulk_create(events, batch_size=BATCH)
    Event.organisers.through.objects.bulk_create(
        [Event.organisers.through(event_id=e.pk, user_id=coordinator.pk) for e in events], batch_size=BATCH
    )
    registrations = []
    for event in events:
        for person in rng.sample(staff, min(len(staff), rng.randint(5, 25))):
            registrations.append(
                Registration(
                    event=event,
                    user=person,
                    municipality_id=person.organisation_id,
                    status=RegistrationStatus.REGISTERED,
                    registered_by=person,
                    attended=(rng.random() < 0.9) if event.starts_at < now else None,
                    created_at=event.starts_at - dt.timedelta(days=20),
                    updated_at=event.starts_at - dt.timedelta(days=20),
                )
            )
    Registration.objects.bulk_create(registrations, batch_size=BATCH)
    return len(events)
