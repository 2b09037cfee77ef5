"""iCalendar feeds parsed back by two independent parsers (icalendar and vobject), field by field."""

import datetime as dt

import icalendar
import pytest
import vobject

from specialists.enums import Domain
from tests.visits.conftest import at
from visits import services
from visits.enums import Mode

pytestmark = pytest.mark.django_db

LONG = "窓口のデジタル化と申請書の見直しについての打ち合わせ、ならびに庁内の業務フロー全体の確認と改善提案"


def _feed_url(client):
    html = client.get("/calendar/feeds/").content.decode()
    start = html.index('id="personal-url"')
    value = html[html.index('value="', start) + 7 :]
    return value[: value.index('"')].replace("http://testserver", "")


def test_a_persons_feed_holds_their_visits_and_events_and_parses_in_two_parsers(
    client, login, plan, team, make_event, municipal_user, coordinator
):
    specialist = team[Domain.DESIGN].user
    trip = plan(
        at(2026, 12, 7, 14), purpose=LONG, agenda="第1部：現状の共有\n第2部：改善案", place="松山市役所 本館3階"
    )
    plan(at(2026, 12, 8, 10), specialists=(Domain.PR,))  # not this specialist's
    event = make_event(title="冬のDX合宿")
    services.event_register(by=municipal_user, event=event, person=municipal_user)

    url = _feed_url(login(specialist))
    response = client.get(url)  # no session: the token is the key
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content
    lines = body.split(b"\r\n")
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode("utf-8")  # no line splits a character

    parsed = icalendar.Calendar.from_ical(body)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 1
    vevent = events[0]
    assert str(vevent["uid"]) == f"visit-{trip.pk}@testserver" or str(vevent["uid"]).startswith(f"visit-{trip.pk}@")
    assert LONG in str(vevent["summary"])
    assert vevent.decoded("dtstart") == at(2026, 12, 7, 14)
    assert vevent["dtstart"].params["TZID"] == "Asia/Tokyo"
    assert int(vevent["sequence"]) == 0
    assert str(vevent["status"]) == "CONFIRMED"
    assert str(vevent["location"]) == "松山市役所 本館3階"
    assert "第2部：改善案" in str(vevent["description"])
    assert any(c.name == "VTIMEZONE" and str(c["tzid"]) == "Asia/Tokyo" for c in parsed.walk("VTIMEZONE"))

    second = vobject.readOne(body.decode("utf-8"))
    vevents = second.contents["vevent"]
    assert len(vevents) == 1
    assert vevents[0].summary.value == str(vevent["summary"])
    assert vevents[0].dtstart.value == at(2026, 12, 7, 14)
    assert vevents[0].uid.value == str(vevent["uid"])

    # The municipal participant registered for the camp finds it in their own feed.
    parsed = icalendar.Calendar.from_ical(client.get(_feed_url(login(municipal_user))).content)
    summaries = [str(c["summary"]) for c in parsed.walk("VEVENT")]
    assert len(summaries) == 1 and summaries[0].endswith(": 冬のDX合宿")


def test_a_change_raises_the_sequence_and_a_cancellation_stays_as_cancelled(client, login, plan, team, coordinator):
    specialist = team[Domain.DESIGN].user
    trip = plan(at(2026, 12, 7, 14))
    url = _feed_url(login(specialist))
    uid_before = str(icalendar.Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]["uid"])
    services.trip_update(
        by=coordinator,
        trip=trip,
        specialists=[team[Domain.DESIGN]],
        starts_at=at(2026, 12, 7, 15),
        ends_at=at(2026, 12, 7, 17),
        mode=Mode.ONSITE,
        purpose=trip.purpose,
    )
    vevent = icalendar.Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]
    assert (int(vevent["sequence"]), str(vevent["uid"])) == (1, uid_before)
    services.trip_cancel(by=coordinator, trip=trip, reason="延期")
    vevent = icalendar.Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]
    assert (int(vevent["sequence"]), str(vevent["status"])) == (2, "CANCELLED")


def test_a_regenerated_token_retires_the_old_address(client, login, municipal_user):
    staff = login(municipal_user)
    old = _feed_url(staff)
    assert client.get(old).status_code == 200
    staff.post("/calendar/feeds/", {"feed": "personal"})
    new = _feed_url(staff)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get("/calendar/feeds/not-a-token.ics").status_code == 404


def test_a_municipalitys_feed_holds_the_visits_to_it_only(client, login, plan, municipal_user, other_municipal_user):
    mine = plan(at(2026, 12, 7, 14), purpose="うちの訪問")
    plan(at(2026, 12, 7, 14), town=other_municipal_user.organisation, specialists=(Domain.PR,), purpose="よその訪問")
    html = login(municipal_user).get("/calendar/feeds/").content.decode()
    start = html.index('id="municipal-url"')
    value = html[html.index('value="', start) + 7 :]
    url = value[: value.index('"')].replace("http://testserver", "")
    summaries = [str(c["summary"]) for c in icalendar.Calendar.from_ical(client.get(url).content).walk("VEVENT")]
    assert len(summaries) == 1 and mine.purpose in summaries[0]


def test_one_visit_or_event_downloads_as_ics(login, plan, make_event, municipal_user, other_municipal_user):
    trip = plan(at(2026, 12, 7, 14))
    event = make_event()
    staff = login(municipal_user)
    response = staff.get(f"/visits/{trip.pk}/visit.ics")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == 1
    assert staff.get(f"/events/{event.pk}/event.ics").status_code == 200
    assert login(other_municipal_user).get(f"/visits/{trip.pk}/visit.ics").status_code == 404


def test_a_busy_year_is_one_bounded_read(client, login, plan, team, django_assert_max_num_queries):
    start = at(2026, 12, 1, 9)
    for number in range(30):
        plan(start + dt.timedelta(days=number), specialists=(Domain.DESIGN,), purpose=f"訪問{number}")
    url = _feed_url(login(team[Domain.DESIGN].user))
    with django_assert_max_num_queries(6):
        body = client.get(url).content
    assert body.count(b"BEGIN:VEVENT") == 30
