"""Every visits and events page: what each role sees, what a foreign id answers (404), bad input (a clear message,
nothing changed), hints, and query counts that do not grow with the data."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations.enums import HelpFormat
from specialists.enums import Domain
from tests import factories
from tests.consultations.conftest import make_request
from tests.visits.conftest import at
from visits import services
from visits.enums import Audience
from visits.models import FollowUp, Registration, Trip, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(plan, make_event, municipal_user, other_municipal_user, municipality, other_municipality):
    mine = plan(at(2026, 12, 7, 10), purpose="うちの訪問")
    theirs = plan(at(2026, 12, 8, 10), town=other_municipality, specialists=(Domain.PR,), purpose="よその訪問")
    open_event = make_event(title="全体研修")
    closed_to_us = make_event(
        title="よその市町だけの研修", audience=Audience.CHOSEN, municipalities=[other_municipality]
    )
    return {"mine": mine, "theirs": theirs, "open": open_event, "closed_to_us": closed_to_us}


def test_municipal_staff_see_their_municipalitys_visits_and_the_events_open_to_them(login, world, municipal_user):
    client = login(municipal_user)
    assert client.get(world["mine"].get_absolute_url()).status_code == 200
    assert client.get(world["theirs"].get_absolute_url()).status_code == 404
    assert client.get(world["open"].get_absolute_url()).status_code == 200
    assert client.get(world["closed_to_us"].get_absolute_url()).status_code == 404
    listing = client.get("/calendar/?view=list&date=2026-12-01").content.decode()
    assert f'href="/visits/{world["mine"].pk}/"' in listing
    assert f'href="/visits/{world["theirs"].pk}/"' not in listing
    events = client.get("/events/").content.decode()
    assert "全体研修" in events and "よその市町だけの研修" not in events


def test_specialists_and_the_centre_see_the_programme(login, world, specialist_user, coordinator):
    for user in (specialist_user, coordinator):
        listing = login(user).get("/calendar/?view=list&date=2026-12-01").content.decode()
        assert f'href="/visits/{world["mine"].pk}/"' in listing
        assert f'href="/visits/{world["theirs"].pk}/"' in listing


VISIT_URLS = [
    "/visits/{pk}/",
    "/visits/{pk}/edit/",
    "/visits/{pk}/done/",
    "/visits/{pk}/cancel/",
    "/visits/{pk}/visit.ics",
]
EVENT_URLS = [
    "/events/{pk}/",
    "/events/{pk}/edit/",
    "/events/{pk}/attendance/",
    "/events/{pk}/cancel/",
    "/events/{pk}/event.ics",
]


@pytest.mark.parametrize("who", ["outsider", "other_coordinator"])
def test_another_programme_reads_nothing_by_id(request, login, world, who):
    client = login(request.getfixturevalue(who))
    for template in VISIT_URLS:
        assert client.get(template.format(pk=world["mine"].pk)).status_code == 404, template
    for template in EVENT_URLS:
        assert client.get(template.format(pk=world["open"].pk)).status_code == 404, template
    assert client.post(f"/events/{world['open'].pk}/register/", {"person": "1"}).status_code == 404
    assert client.post(f"/visits/{world['mine'].pk}/follow-ups/", {}).status_code == 404
    calendar = client.get("/calendar/?view=list&date=2026-12-01").content.decode()
    assert f'href="/visits/{world["mine"].pk}/"' not in calendar
    assert f'href="/events/{world["open"].pk}/"' not in calendar


def test_a_registration_or_material_of_another_programme_is_not_found(login, world, municipal_user, outsider):
    registration = services.event_register(by=municipal_user, event=world["open"], person=municipal_user)
    assert login(outsider).post(f"/events/registrations/{registration.pk}/cancel/").status_code == 404
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_municipal_staff_cannot_plan_or_change_visits(login, world, municipal_user):
    client = login(municipal_user)
    assert client.get("/visits/new/").status_code == 403
    assert client.get(f"/visits/{world['mine'].pk}/edit/").status_code == 403
    assert client.post(f"/visits/{world['mine'].pk}/cancel/", {"reason": "x"}).status_code == 403
    assert client.get("/events/new/").status_code == 403


def _form(**overrides):
    data = {
        "municipality": "",
        "specialists": [],
        "mode": "onsite",
        "day": "2026-12-10",
        "start_time": "10:00",
        "end_time": "12:00",
        "purpose": "窓口の打合せ",
    }
    return {**data, **overrides}


def test_bad_visit_input_says_what_to_fix_and_changes_nothing(
    login, coordinator, team, municipality, outside_municipality
):
    client = login(coordinator)
    design = team[Domain.DESIGN].pk
    response = client.post("/visits/new/", _form(municipality=municipality.pk, specialists=[design], end_time="09:00"))
    assert response.status_code == 400 and "終了は開始より後にしてください" in response.content.decode()
    response = client.post("/visits/new/", _form(municipality=outside_municipality.pk, specialists=[design]))
    assert response.status_code == 400
    response = client.post("/visits/new/", _form(municipality=municipality.pk))
    assert "専門官を1人以上選んでください" in response.content.decode()
    assert not Trip.objects.exists()


def test_planning_from_a_request_links_them_and_warns_without_blocking(
    login, coordinator, team, municipal_user, municipality
):
    consultation = make_request(municipal_user, help_format=HelpFormat.ONSITE)
    client = login(coordinator)
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert f'href="/visits/new/?consultation={consultation.pk}"' in page
    form = client.get(f"/visits/new/?consultation={consultation.pk}").content.decode()
    assert re.search(rf'value="{consultation.pk}"[^>]*checked', form)
    # 2027-01-11 is 成人の日, a public holiday: planned all the same, with a warning.
    response = client.post(
        "/visits/new/",
        _form(
            municipality=municipality.pk,
            specialists=[team[Domain.DESIGN].pk],
            day="2027-01-11",
            consultations=[consultation.pk],
        ),
        follow=True,
    )
    html = response.content.decode()
    assert "成人の日" in html and "最初の訪問" in html
    trip = Trip.objects.get()
    assert list(trip.consultations.all()) == [consultation]
    assert trip.get_absolute_url() in client.get(consultation.get_absolute_url()).content.decode()


def test_a_double_booking_is_a_warning(login, plan, coordinator, team, other_municipality):
    plan(at(2026, 12, 10, 10))
    response = login(coordinator).post(
        "/visits/new/",
        _form(
            municipality=other_municipality.pk,
            specialists=[team[Domain.DESIGN].pk],
            day="2026-12-10",
            start_time="11:00",
            end_time="13:00",
        ),
        follow=True,
    )
    assert "すでに予定があります" in response.content.decode()
    assert Trip.objects.count() == 2


def test_a_follow_up_needs_an_owner(login, plan, coordinator):
    trip = plan(at(2026, 12, 10, 10))
    response = login(coordinator).post(
        f"/visits/{trip.pk}/follow-ups/", {"description": "資料を送る", "due_on": "2026-12-20"}, follow=True
    )
    assert "担当者を選んでください" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_a_specialist_plans_a_joint_visit_and_records_it(login, team, municipality):
    design, data = team[Domain.DESIGN], team[Domain.DATA]
    client = login(design.user)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        "/visits/new/", _form(municipality=municipality.pk, specialists=[design.pk, data.pk], day=yesterday.isoformat())
    )
    trip = Trip.objects.get()
    assert response.status_code == 302 and trip.visits.count() == 2
    client.post(f"/visits/{trip.pk}/done/", {"outcome": "様式案を合意しました。"})
    assert set(Visit.objects.values_list("status", flat=True)) == {"done"}


def test_registering_in_the_browser_forms(login, world, municipal_user, colleague):
    client = login(municipal_user)
    page = client.get(world["open"].get_absolute_url()).content.decode()
    assert colleague.full_name in page  # colleagues can be registered
    client.post(f"/events/{world['open'].pk}/register/", {"person": colleague.pk})
    response = client.post(f"/events/{world['open'].pk}/register/", {"person": colleague.pk})
    assert response.status_code == 400 and "すでに登録" in response.content.decode()
    assert Registration.objects.count() == 1


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/calendar/?date=2026-12-01",
        "/calendar/?view=week&date=2026-12-07",
        "/calendar/?view=list&date=2026-12-01",
        "/calendar/?view=list&date=2026-12-01&specialist=1&kind=visit",
        "/events/",
    ],
)
def test_calendar_pages_read_a_fixed_number_of_queries(login, plan, make_event, coordinator, team, programme, url):
    client = login(coordinator)
    client.get(url)
    plan(at(2026, 12, 7, 10))
    make_event()
    few = _count(client, url)
    towns = [factories.MembershipFactory(programme=programme).municipality for _ in range(4)]
    for number in range(20):
        plan(at(2026, 12, 1 + number % 20, 9 + number % 3), town=towns[number % 4], specialists=(Domain.DATA,))
    for number in range(3):
        make_event(title=f"研修{number}")
    assert _count(client, url) == few


def test_an_event_page_reads_a_fixed_number_of_queries(login, make_event, coordinator, programme, municipality):
    from accounts.enums import Role

    event = make_event(capacity=3)
    client = login(coordinator)
    few = _count(client, event.get_absolute_url())
    for _ in range(6):
        person = factories.UserFactory(role=Role.MUNICIPAL, programme=programme, organisation=municipality)
        services.event_register(by=person, event=event, person=person)
    assert _count(client, event.get_absolute_url()) == few


def test_the_centre_creates_an_event_with_its_organisers(login, coordinator, team):
    from visits.models import Event

    client = login(coordinator)
    data = {
        "kind": "winter_camp",
        "title": "冬のDX合宿",
        "day": "2027-01-21",
        "start_time": "10:00",
        "end_time": "09:00",
        "audience": "programme",
        "capacity": "12",
        "organisers": [coordinator.pk, team[Domain.DATA].user.pk],
    }
    response = client.post("/events/new/", data)
    assert response.status_code == 400 and "終了は開始より後にしてください" in response.content.decode()
    assert not Event.objects.exists()
    response = client.post("/events/new/", {**data, "end_day": "2027-01-22", "end_time": "16:00"})
    event = Event.objects.get()
    assert response.status_code == 302 and event.capacity == 12
    assert set(event.organisers.values_list("pk", flat=True)) == {coordinator.pk, team[Domain.DATA].user.pk}
    assert (event.ends_at - event.starts_at) == dt.timedelta(days=1, hours=6)


def test_the_list_view_pages_whole_days_and_shows_every_visit_once(login, plan, coordinator, programme):
    towns = [factories.MembershipFactory(programme=programme).municipality for _ in range(5)]
    made = []
    for number in range(95):  # 19 days of 5 visits: more than two pages of 40
        made.append(plan(at(2026, 12, 1 + number // 5, 9 + number % 5), town=towns[number % 5]).pk)
    client = login(coordinator)
    seen, url, pages = [], "/calendar/?view=list&date=2026-12-01", 0
    while url and pages < 10:
        html = client.get(url).content.decode()
        found = [int(pk) for pk in re.findall(r'href="/visits/(\d+)/"', html)]
        assert len(found) <= 40
        seen += found
        following = re.search(r'href="\?view=list&amp;date=([0-9-]+)"[^>]*rel="next"', html)
        url = f"/calendar/?view=list&date={following.group(1)}" if following else None
        pages += 1
    assert sorted(seen) == sorted(made)  # each exactly once
    assert pages == 3


def test_a_busy_week_day_says_how_many_more(login, plan, coordinator, programme):
    towns = [factories.MembershipFactory(programme=programme).municipality for _ in range(10)]
    for number in range(10):
        plan(at(2026, 12, 8, 9, number * 5), town=towns[number])
    html = login(coordinator).get("/calendar/?view=week&date=2026-12-08").content.decode()
    assert len(re.findall(r'href="/visits/\d+/"', html)) == 8
    assert "ほか2件" in html
