"""Registration, capacity and the waiting list, and what is refused: a clear message, nothing changed."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts.enums import Role
from tests import factories
from tests.concurrency import run_together
from visits import services
from visits.enums import Audience, RegistrationStatus
from visits.models import Registration

pytestmark = pytest.mark.django_db


def test_a_full_event_keeps_a_waiting_list_that_moves_up_by_itself(
    make_event, municipal_user, colleague, programme, municipality, django_capture_on_commit_callbacks
):
    third = factories.UserFactory(role=Role.MUNICIPAL, programme=programme, organisation=municipality, language="en")
    event = make_event(capacity=2)
    first = services.event_register(by=municipal_user, event=event, person=municipal_user)
    second = services.event_register(by=municipal_user, event=event, person=colleague)  # a colleague, by them
    waiting = services.event_register(by=third, event=event, person=third)
    assert [first.status, second.status, waiting.status] == ["registered", "registered", "waiting"]
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(by=colleague, registration=second)
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED
    assert [m.to for m in mail.outbox] == [[third.email]]
    assert "A place is yours" in mail.outbox[0].subject  # in the person's own language


def test_registering_twice_or_for_someone_outside_ones_municipality_is_refused(
    make_event, municipal_user, other_municipal_user
):
    event = make_event()
    services.event_register(by=municipal_user, event=event, person=municipal_user)
    with pytest.raises(ValidationError, match="すでに登録"):
        services.event_register(by=municipal_user, event=event, person=municipal_user)
    with pytest.raises(ValidationError, match="同じ市町"):
        services.event_register(by=municipal_user, event=event, person=other_municipal_user)
    assert Registration.objects.count() == 1


def test_closed_past_and_foreign_events_take_no_registration(
    make_event, municipal_user, coordinator, outsider, other_coordinator, other_programme
):
    past = make_event(starts_at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="始まって"):
        services.event_register(by=municipal_user, event=past, person=municipal_user)
    closed = make_event()
    closed.status = "closed"
    closed.save()
    with pytest.raises(ValidationError, match="締め切"):
        services.event_register(by=municipal_user, event=closed, person=municipal_user)
    foreign = services.event_create(
        by=other_coordinator,
        programme=other_programme,
        fields={
            "kind": "workshop",
            "title": "他県の研修",
            "starts_at": timezone.now() + dt.timedelta(days=3),
            "ends_at": timezone.now() + dt.timedelta(days=3, hours=2),
            "audience": Audience.PROGRAMME,
        },
    )
    with pytest.raises(ValidationError):
        services.event_register(by=municipal_user, event=foreign, person=municipal_user)
    assert not Registration.objects.exists()


def test_an_event_for_chosen_municipalities_is_closed_to_the_others(
    make_event, municipal_user, other_municipal_user, municipality
):
    event = make_event(audience=Audience.CHOSEN, municipalities=[municipality])
    services.event_register(by=municipal_user, event=event, person=municipal_user)
    with pytest.raises(ValidationError, match="開かれていません"):
        services.event_register(by=other_municipal_user, event=event, person=other_municipal_user)


def test_the_capacity_cannot_go_below_the_registrations(make_event, municipal_user, colleague, coordinator):
    event = make_event(capacity=5)
    for person in (municipal_user, colleague):
        services.event_register(by=person, event=event, person=person)
    fields = {
        "kind": event.kind,
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "audience": event.audience,
        "capacity": 1,
    }
    with pytest.raises(ValidationError, match="2人"):
        services.event_update(by=coordinator, event=event, fields=fields)
    event.refresh_from_db()
    assert event.capacity == 5 and event.sequence == 0


def test_an_event_cannot_end_before_it_starts(coordinator, programme):
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(ValidationError, match="後にしてください"):
        services.event_create(
            by=coordinator,
            programme=programme,
            fields={"kind": "seminar", "title": "x", "starts_at": start, "ends_at": start - dt.timedelta(hours=1)},
        )


def test_attendance_is_taken_by_organisers_after_the_start(make_event, municipal_user, colleague, coordinator):
    event = make_event(starts_at=timezone.now() + dt.timedelta(days=2))
    registrations = [services.event_register(by=p, event=event, person=p) for p in (municipal_user, colleague)]
    with pytest.raises(ValidationError):
        services.attendance_record(by=coordinator, event=event, attended_ids={registrations[0].pk})
    type(event).objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    event.refresh_from_db()
    assert services.attendance_record(by=coordinator, event=event, attended_ids={registrations[0].pk}) == 1
    with pytest.raises(Exception):  # noqa: B017 - municipal staff may not take attendance
        services.attendance_record(by=municipal_user, event=event, attended_ids=set())


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_place_at_the_same_moment(make_event, programme, municipality):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); `make test` runs on it")
    for _ in range(5):
        event = make_event(capacity=1)
        people = [
            factories.UserFactory(role=Role.MUNICIPAL, programme=programme, organisation=municipality) for _ in range(2)
        ]
        results = run_together(*[lambda p=p, e=event: services.event_register(by=p, event=e, person=p) for p in people])
        assert all(isinstance(r, Registration) for r in results), results
        assert sorted(r.status for r in results) == ["registered", "waiting"]
        assert event.registrations.filter(status="registered").count() == 1


def test_audiences_by_region_and_population(make_event, municipal_user, other_municipal_user, programme):
    from municipalities.models import Region
    from visits import selectors

    town, other = municipal_user.organisation, other_municipal_user.organisation
    region = Region.objects.create(prefecture=programme.prefecture, name="中予")
    town.region, town.population = region, 30_000
    town.save()
    other.population = 120_000
    other.save()
    by_region = make_event(title="中予の研修", audience=Audience.REGION, region=region)
    small_towns = make_event(title="小規模市町の研修", audience=Audience.POPULATION, population_below=50_000)
    for person, expected in ((municipal_user, {by_region.pk, small_towns.pk}), (other_municipal_user, set())):
        person.refresh_from_db()
        seen = set(
            selectors.events_visible_to(person)
            .filter(pk__in=[by_region.pk, small_towns.pk])
            .values_list("pk", flat=True)
        )
        assert seen == expected
