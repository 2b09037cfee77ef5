"""Fixtures for visits and events: a programme with specialists, municipal staff and helpers that plan through the
services."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.enums import Role
from specialists.enums import Domain
from tests import factories
from visits import services
from visits.enums import Audience, EventKind, Mode

TOKYO = timezone.get_default_timezone()


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


@pytest.fixture
def team(programme):
    return {
        domain: factories.SpecialistFactory(
            user__programme=programme,
            domain=domain,
            user__full_name=f"専門官 {domain}",
            active_from=dt.date(2020, 4, 1),
        )
        for domain in Domain.values
    }


@pytest.fixture
def colleague(programme, municipality):
    return factories.UserFactory(
        role=Role.MUNICIPAL, programme=programme, organisation=municipality, full_name="同僚 次郎"
    )


@pytest.fixture
def plan(coordinator, programme, municipality, team):
    def plan(starts_at=None, *, specialists=(Domain.DESIGN,), mode=Mode.ONSITE, town=None, by=None, hours=2, **extra):
        starts_at = starts_at or timezone.now() + dt.timedelta(days=7)
        trip, _hints = services.trip_plan(
            by=by or coordinator,
            programme=programme,
            municipality=town or municipality,
            specialists=[team[d] for d in specialists],
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=hours),
            mode=mode,
            purpose=extra.pop("purpose", "窓口DXの打合せ"),
            **extra,
        )
        return trip

    return plan


@pytest.fixture
def make_event(coordinator, programme):
    def make_event(
        *, capacity=None, starts_at=None, audience=Audience.PROGRAMME, title="冬のDX合宿", municipalities=(), **fields
    ):
        starts_at = starts_at or timezone.now() + dt.timedelta(days=30)
        return services.event_create(
            by=coordinator,
            programme=programme,
            fields={
                "kind": EventKind.WINTER_CAMP,
                "title": title,
                "description": "市町職員のための合宿です。",
                "venue": "県庁 大会議室",
                "online_url": "",
                "starts_at": starts_at,
                "ends_at": starts_at + dt.timedelta(hours=6),
                "capacity": capacity,
                "audience": audience,
                **fields,
            },
            municipalities=list(municipalities),
        )

    return make_event
