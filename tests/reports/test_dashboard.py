"""The programme dashboard: the counting rule, fiscal-year boundaries in Tokyo, percentiles by hand, an empty year,
who may read it, bad years in the URL, and a fixed number of queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from consultations import services as consultation_services
from consultations.models import Routing
from municipalities.models import ProgrammeTarget
from reports.figures import _interpolated, percentiles, year_figures
from reports.models import Snapshot
from reports.services import snapshot_refresh
from specialists.enums import Domain
from tests import factories
from tests.consultations.conftest import make_request
from visits import services as visit_services
from visits.enums import Mode
from visits.selectors import visit_count

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def team(programme):
    return {
        d: factories.SpecialistFactory(user__programme=programme, domain=d, active_from=dt.date(2020, 4, 1))
        for d in Domain.values
    }


def _visit(coordinator, programme, municipality, specialists, starts_at, *, mode=Mode.ONSITE, done=True):
    trip, _hints = visit_services.trip_plan(
        by=coordinator,
        programme=programme,
        municipality=municipality,
        specialists=specialists,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=1),
        mode=mode,
        purpose="打合せ",
    )
    if done:
        visit_services.trip_mark_done(by=coordinator, trip=trip, outcome="実施しました")
    return trip


def test_the_counting_rule_and_the_fiscal_year_boundary_in_tokyo(
    coordinator, programme, municipality, other_municipality, team
):
    design, data = team[Domain.DESIGN], team[Domain.DATA]
    # 23:59 on 31 March 2026 belongs to FY2025; 00:00 on 1 April 2026 to FY2026.
    _visit(coordinator, programme, municipality, [design], dt.datetime(2026, 3, 31, 23, 58, tzinfo=TOKYO))
    _visit(coordinator, programme, municipality, [design, data], dt.datetime(2026, 4, 1, 0, 0, tzinfo=TOKYO))  # 2
    _visit(coordinator, programme, other_municipality, [data], dt.datetime(2026, 5, 12, 10, tzinfo=TOKYO))
    _visit(
        coordinator, programme, other_municipality, [data], dt.datetime(2026, 5, 13, 10, tzinfo=TOKYO), mode=Mode.ONLINE
    )
    cancelled = _visit(
        coordinator, programme, municipality, [design], dt.datetime(2026, 6, 1, 10, tzinfo=TOKYO), done=False
    )
    visit_services.trip_cancel(by=coordinator, trip=cancelled, reason="中止")

    figures = year_figures(programme, 2026)["visits"]
    assert figures["onsite"] == 3 == visit_count(programme, 2026)
    assert figures["online"] == 1
    assert figures["per_month"][:3] == [2, 1, 0]  # April, May, June
    assert figures["cumulative"][-1] == 3
    assert {m["id"]: m["onsite"] for m in figures["by_municipality"]} == {municipality.pk: 2, other_municipality.pk: 1}
    assert {row["domain"]: row["onsite"] for row in figures["by_domain"]}[Domain.DATA] == 2
    assert year_figures(programme, 2025)["visits"]["onsite"] == 1 == visit_count(programme, 2025)


def test_an_empty_year(programme, municipality):
    figures = year_figures(programme, 2030)
    assert figures["visits"]["onsite"] == 0
    assert [m["id"] for m in figures["visits"]["not_visited"]] == [municipality.pk]
    assert figures["requests"]["received"] == 0
    assert figures["requests"]["to_routing"] == {"median": None, "p90": None}
    assert figures["satisfaction"]["percent"] is None


def test_percentiles_against_hand_computed_values():
    assert _interpolated([1, 2, 3, 4], 0.5) == 2.5
    assert _interpolated([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == pytest.approx(9.1)
    assert _interpolated([0, 10], 0.9) == 9.0


def test_business_days_to_routing_are_measured_by_the_database(
    municipal_user, coordinator, programme, team, monkeypatch
):
    """Filed on Friday 2026-11-20; routed on Tuesday 24 (Monday 23 is 勤労感謝の日): 1 business day. Another filed and
    routed on the same day: 0. Another routed 5 business days later. Median 1, 90th percentile 0.2 × (5 - 1) + 1."""
    from django.utils import timezone

    waits = []
    for filed, routed in [
        (dt.datetime(2026, 11, 20, 10, tzinfo=TOKYO), dt.datetime(2026, 11, 24, 10, tzinfo=TOKYO)),
        (dt.datetime(2026, 11, 25, 9, tzinfo=TOKYO), dt.datetime(2026, 11, 25, 15, tzinfo=TOKYO)),
        (dt.datetime(2026, 11, 25, 9, tzinfo=TOKYO), dt.datetime(2026, 12, 2, 9, tzinfo=TOKYO)),
    ]:
        monkeypatch.setattr(timezone, "now", lambda filed=filed: filed)
        consultation = make_request(municipal_user)
        monkeypatch.setattr(timezone, "now", lambda routed=routed: routed)
        consultation_services.consultation_route(
            consultation=consultation, specialist=team[Domain.DESIGN], by=coordinator
        )
        Routing.objects.filter(consultation=consultation).update(routed_at=routed)
        waits.append(consultation)
    monkeypatch.undo()
    figures = year_figures(programme, 2026)["requests"]
    assert figures["received"] == 3
    assert figures["to_routing"] == {"median": 1.0, "p90": 4.2}


def test_the_dashboard_page_is_for_the_centre_and_the_prefecture(
    login, coordinator, prefecture_user, municipal_user, specialist_user, other_coordinator, programme
):
    url = f"/programmes/{programme.slug}/dashboard/"
    assert login(coordinator).get(url).status_code == 200
    assert login(prefecture_user).get(url).status_code == 200
    assert login(municipal_user).get(url).status_code == 403
    assert login(specialist_user).get(url).status_code == 403
    assert login(other_coordinator).get(url).status_code == 404  # another programme's: not found
    assert login(other_coordinator).post(f"{url}refresh/").status_code == 404


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "２０２６x"])
def test_a_bad_year_says_so_and_shows_the_current_one(login, coordinator, programme, year):
    client = login(coordinator)
    client.cookies["django_language"] = "en"
    response = client.get(f"/programmes/{programme.slug}/dashboard/", {"year": year})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That fiscal year cannot be shown; here is the current one." in html
    from dxshare.fiscal import current_fiscal_year

    assert f"Figures for FY{current_fiscal_year()}" in html


def test_targets_and_the_year_before_are_shown(login, coordinator, programme, municipality, team):
    ProgrammeTarget.objects.create(programme=programme, fiscal_year=2026, metric="onsite_visits", value=100)
    _visit(coordinator, programme, municipality, [team[Domain.PR]], dt.datetime(2025, 10, 1, 10, tzinfo=TOKYO))
    client = login(coordinator)
    client.cookies["django_language"] = "en"
    html = client.get(f"/programmes/{programme.slug}/dashboard/", {"year": 2026}).content.decode()
    assert "0 / 100" in html and "Year before: 1" in html
    assert '<svg class="chart"' in html and '<title id="burnup-title">' in html
    assert "Not yet visited" in html
    # Each municipality beside the year before: PR's visit of FY2025 shows in the "Year before" column.
    snapshot = Snapshot.objects.get(programme=programme, fiscal_year=2026)
    assert [
        (m["onsite"], m["previous"], m["attended"]) for m in snapshot.data["current"]["visits"]["by_municipality"]
    ] == [(0, 1, 0)]
    assert {r["domain"]: r["previous"] for r in snapshot.data["current"]["visits"]["by_domain"]}[Domain.PR] == 1


def test_the_page_reads_one_snapshot_whatever_the_programme_holds(
    login, coordinator, programme, municipality, team, django_assert_max_num_queries
):
    client = login(coordinator)
    url = f"/programmes/{programme.slug}/dashboard/?year=2026"
    client.get(url)  # computes the snapshot once
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    for day in range(1, 20):
        _visit(coordinator, programme, municipality, [team[Domain.PR]], dt.datetime(2026, 6, day, 10, tzinfo=TOKYO))
    snapshot_refresh(programme=programme, fiscal_year=2026)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert Snapshot.objects.get(programme=programme, fiscal_year=2026).data["current"]["visits"]["onsite"] == 19
    assert ">19<" in html or "19 /" in html or ">19 " in html


def test_percentiles_helper_agrees_on_both_paths(programme, municipal_user):
    from django.db.models import Value

    from consultations.models import Consultation

    make_request(municipal_user)
    assert percentiles(Consultation.objects.all(), Value(3)) == [3.0, 3.0]
