"""The programme's counting rule: one specialist × one municipality × one day = one visit; two specialists together
count two; online meetings apart; cancelled and planned visits never; fiscal years cut at 00:00 on 1 April (JST)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from specialists.enums import Domain
from tests import factories
from tests.visits.conftest import at
from visits import selectors, services
from visits.enums import Mode
from visits.models import Trip, Visit

pytestmark = pytest.mark.django_db


def _done(trip, coordinator):
    return services.trip_mark_done(by=coordinator, trip=trip, outcome="方針を合意しました。")


def test_two_specialists_together_count_two_online_apart_cancelled_never(plan, coordinator, programme):
    joint = plan(at(2026, 8, 3), specialists=(Domain.DESIGN, Domain.DATA))
    online = plan(at(2026, 8, 4), mode=Mode.ONLINE)
    cancelled = plan(at(2026, 8, 5), specialists=(Domain.PR,))
    planned = plan(at(2026, 8, 6), specialists=(Domain.SECURITY,))
    for trip in (joint, online):
        _done(trip, coordinator)
    services.trip_cancel(by=coordinator, trip=cancelled, reason="台風のため")
    assert joint.visits.count() == 2 and Trip.objects.count() == 4
    assert selectors.visit_count(programme, 2026) == 2
    assert selectors.visit_count(programme, 2026, mode=Mode.ONLINE) == 1
    assert planned.status == "planned"  # planned visits have not happened: not counted


def test_the_same_specialist_cannot_visit_the_same_municipality_twice_a_day(plan, coordinator):
    plan(at(2026, 9, 1, 10))
    with pytest.raises(ValidationError, match="1日1回"):
        plan(at(2026, 9, 1, 15))
    assert Visit.objects.count() == 1
    # Another municipality the same day, or the same one another day, is another visit.
    plan(at(2026, 9, 1, 15), town=factories.MembershipFactory(programme=coordinator.programme).municipality)
    plan(at(2026, 9, 2, 10))
    assert Visit.objects.count() == 3


def test_a_cancelled_visit_frees_the_day(plan, coordinator):
    first = plan(at(2026, 9, 1, 10))
    services.trip_cancel(by=coordinator, trip=first, reason="延期")
    plan(at(2026, 9, 1, 15))
    assert Visit.objects.exclude(status="cancelled").count() == 1


def test_the_fiscal_year_is_cut_at_midnight_in_tokyo(plan, coordinator, programme):
    """23:59 on 31 March (JST) is FY2025, 00:00 on 1 April FY2026, although both are 31 March in UTC."""
    last_minute = plan(at(2026, 3, 31, 23, 59), hours=0.01, specialists=(Domain.DESIGN,))
    first_minute = plan(at(2026, 4, 1, 0, 0), specialists=(Domain.DATA,))
    for trip in (last_minute, first_minute):
        _done(trip, coordinator)
    assert Visit.objects.get(trip=last_minute).day == dt.date(2026, 3, 31)
    assert Visit.objects.get(trip=first_minute).day == dt.date(2026, 4, 1)
    assert selectors.visit_count(programme, 2025) == 1
    assert selectors.visit_count(programme, 2026) == 1


def test_counts_by_municipality_and_specialist(plan, coordinator, programme, municipality, team):
    _done(plan(at(2026, 10, 1), specialists=(Domain.DESIGN, Domain.PR)), coordinator)
    _done(plan(at(2026, 10, 2), specialists=(Domain.DESIGN,)), coordinator)
    assert selectors.visit_count(programme, 2026, municipality=municipality) == 3
    assert selectors.visit_count(programme, 2026, specialist=team[Domain.DESIGN]) == 2
    assert selectors.visit_count(programme, 2026, specialist=team[Domain.PR]) == 1
