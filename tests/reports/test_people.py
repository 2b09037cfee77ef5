"""A municipality's year and a specialist's year: the figures, who may open them, constant queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from consultations import services as consultation_services
from specialists.enums import Domain
from tests import factories
from tests.consultations.conftest import make_request
from visits import services as visit_services

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def designer(programme):
    return factories.SpecialistFactory(user__programme=programme, domain=Domain.DESIGN, active_from=dt.date(2020, 4, 1))


def _done_visit(by, programme, town, specialist, when):
    trip, _ = visit_services.trip_plan(
        by=by,
        programme=programme,
        municipality=town,
        specialists=[specialist],
        starts_at=when,
        ends_at=when + dt.timedelta(hours=1),
        purpose="打合せ",
    )
    visit_services.trip_mark_done(by=by, trip=trip, outcome="実施")


def _client(login, user, language="en"):
    client = login(user)
    client.cookies["django_language"] = language
    return client


def test_a_municipality_sees_its_own_year(login, coordinator, programme, municipality, municipal_user, designer):
    _done_visit(coordinator, programme, municipality, designer, dt.datetime(2026, 5, 10, 10, tzinfo=TOKYO))
    _done_visit(coordinator, programme, municipality, designer, dt.datetime(2026, 5, 20, 10, tzinfo=TOKYO))
    make_request(municipal_user, title="申請の相談")
    html = (
        _client(login, municipal_user)
        .get(f"/figures/municipalities/{municipality.code}/", {"year": 2026})
        .content.decode()
    )
    assert f"{municipality.display_name}: FY2026" in html
    assert '<tr><th scope="row">May</th><td class="num">2</td></tr>' in html
    assert '<span class="stat__value">1</span> <span class="stat__label">Requests filed' in html


def test_municipal_staff_cannot_open_another_municipalitys_year(
    login, municipal_user, other_municipality, outside_municipality
):
    client = _client(login, municipal_user)
    assert client.get(f"/figures/municipalities/{other_municipality.code}/").status_code == 404
    assert client.get(f"/figures/municipalities/{outside_municipality.code}/").status_code == 404


def test_the_centre_opens_any_member_but_not_another_programmes(login, coordinator, municipality, outside_municipality):
    client = _client(login, coordinator)
    assert client.get(f"/figures/municipalities/{municipality.code}/").status_code == 200
    assert client.get(f"/figures/municipalities/{outside_municipality.code}/").status_code == 404


def test_a_specialists_activity_by_month(
    login, coordinator, programme, municipality, municipal_user, designer, monkeypatch
):
    from django.utils import timezone

    _done_visit(coordinator, programme, municipality, designer, dt.datetime(2026, 6, 3, 10, tzinfo=TOKYO))
    consultation = make_request(municipal_user)
    consultation_services.consultation_route(consultation=consultation, specialist=designer, by=coordinator)
    moment = dt.datetime(2026, 6, 30, 23, 59, tzinfo=TOKYO)  # 14:59 UTC: June in Tokyo, counted in June
    monkeypatch.setattr(timezone, "now", lambda: moment)
    consultation_services.consultation_reply(consultation=consultation, author=designer.user, body="回答します。")
    monkeypatch.undo()
    html = _client(login, designer.user).get(f"/figures/specialists/{designer.pk}/", {"year": 2026}).content.decode()
    import re

    rows = dict(re.findall(r"<tr><th scope=\"row\">(\w+)</th>(.*?)</tr>", html))
    assert rows["Jun"] == '<td class="num">1</td><td class="num">1</td><td class="num">0</td>'
    assert rows["Jul"] == rows["May"] == '<td class="num">0</td><td class="num">0</td><td class="num">0</td>'


def test_who_may_open_a_specialists_page(login, designer, coordinator, municipal_user, other_coordinator, programme):
    other = factories.SpecialistFactory(user__programme=programme, domain=Domain.DATA)
    url = f"/figures/specialists/{designer.pk}/"
    assert _client(login, designer.user).get(url).status_code == 200
    assert _client(login, coordinator).get(url).status_code == 200
    assert _client(login, other.user).get(url).status_code == 403
    assert _client(login, municipal_user).get(url).status_code == 403
    assert _client(login, other_coordinator).get(url).status_code == 404


@pytest.mark.parametrize("year", ["x", "1800"])
def test_a_bad_year_is_explained(login, coordinator, municipality, year):
    html = (
        _client(login, coordinator)
        .get(f"/figures/municipalities/{municipality.code}/", {"year": year})
        .content.decode()
    )
    assert "That fiscal year cannot be shown; here is the current one." in html


def test_queries_do_not_grow_with_the_year(
    login, coordinator, programme, municipality, designer, django_assert_max_num_queries
):
    from reports.services import snapshot_refresh

    client = _client(login, coordinator)
    url = f"/figures/municipalities/{municipality.code}/?year=2026"
    specialist_url = f"/figures/specialists/{designer.pk}/?year=2026"
    client.get(url)  # the year's figures are computed once
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    with django_assert_max_num_queries(10) as few_specialist:
        client.get(specialist_url)
    for day in range(1, 15):
        _done_visit(coordinator, programme, municipality, designer, dt.datetime(2026, 7, day, 10, tzinfo=TOKYO))
    snapshot_refresh(programme=programme, fiscal_year=2026)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert '<span class="stat__value">14</span>' in client.get(url).content.decode()
    with django_assert_max_num_queries(len(few_specialist.captured_queries)):
        assert '<span class="stat__value">14</span>' in client.get(specialist_url).content.decode()


def test_the_dashboard_leaves_each_members_figures_unread(programme, municipality):
    from reports import selectors
    from reports.services import snapshot_refresh

    snapshot_refresh(programme=programme, fiscal_year=2026)
    assert selectors.snapshot_of(programme, 2026).get_deferred_fields() == {"details"}
    assert selectors.snapshot_of(programme, 2026, details=True).get_deferred_fields() == {"data"}
    assert set(selectors.snapshot_of(programme, 2026, details=True).details) == {"municipalities", "people"}
