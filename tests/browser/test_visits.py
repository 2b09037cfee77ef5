"""Visits and events in a real browser, in Japanese and English: a specialist plans a joint visit with a colleague
and records it; municipal staff register for the winter camp and download its .ics; every new page passes axe-core
and the calendar's list fits a 390 px phone."""

import datetime as dt
from pathlib import Path

import icalendar
import pytest
from django.utils import timezone

from accounts.enums import Role
from specialists.enums import Domain
from tests import factories
from tests.browser.conftest import screenshot, second_step
from tests.browser.test_accessibility import _violations
from visits import services
from visits.enums import Audience, EventKind
from visits.models import Trip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "ehime-kaigi-2026"

TEXT = {
    "ja": {
        "plan": "訪問を計画する",
        "done": "実施を記録する",
        "save_done": "実施済みとして保存する",
        "register": "参加登録する",
        "ics": "カレンダーに追加（.ics）",
        "registered": "を登録しました",
    },
    "en": {
        "plan": "Plan a visit",
        "done": "Record as done",
        "save_done": "Save as done",
        "register": "Register",
        "ics": "Add to my calendar (.ics)",
        "registered": "is registered",
    },
}


@pytest.fixture
def people(db):
    programme = factories.ProgrammeFactory(name="愛媛県・市町DX推進会議", reference_prefix="EH")
    town = factories.MembershipFactory(programme=programme, municipality__name="内子町").municipality
    specialists = {
        d: factories.SpecialistFactory(
            user__programme=programme,
            domain=d,
            user__full_name=f"専門官{i}",
            user__password=PASSWORD,
            active_from=dt.date(2020, 4, 1),
        )
        for i, d in enumerate(Domain.values)
    }
    staff = factories.UserFactory(
        role=Role.MUNICIPAL, programme=programme, organisation=town, email="staff@uchiko.example.jp", password=PASSWORD
    )
    coordinator = factories.UserFactory(
        role=Role.COORDINATOR, programme=programme, email="coord@example.jp", password=PASSWORD
    )
    return programme, town, staff, coordinator, specialists


def _page(browser, live_server, user, language, width=1366, **context_options):
    type(user).objects.filter(pk=user.pk).update(language=language)
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": width, "height": 900}, **context_options
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    second_step(page, user.email)
    page.wait_for_url("**/")
    return page


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_specialist_plans_a_joint_visit_and_records_it(browser, live_server, people, language):
    _programme, town, _staff, _coordinator, specialists = people
    text = TEXT[language]
    page = _page(browser, live_server, specialists[Domain.DESIGN].user, language)
    page.goto("/calendar/")
    page.locator("main").get_by_role("link", name=text["plan"]).click()
    page.locator("#id_municipality").select_option(str(town.pk))
    page.get_by_label("専門官1", exact=False).check()  # the colleague; oneself is ticked already
    assert page.get_by_label("専門官0", exact=False).is_checked()
    page.locator("#id_day").fill((timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.locator("#id_purpose").fill("窓口の申請書を一緒に見直す")
    page.locator("main form button[type=submit]").first.click()
    trip = Trip.objects.get()
    page.wait_for_url(f"**{trip.get_absolute_url()}")
    assert trip.visits.count() == 2
    page.get_by_role("link", name=text["done"]).click()
    page.locator("#id_outcome").fill("様式の改善案を合意しました。")
    page.get_by_role("button", name=text["save_done"]).click()
    page.wait_for_url(f"**{trip.get_absolute_url()}")
    trip.refresh_from_db()
    assert trip.is_done and set(trip.visits.values_list("status", flat=True)) == {"done"}
    screenshot(page, f"visit-done-{language}")
    page.context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_municipal_staff_register_for_the_winter_camp_and_download_it(browser, live_server, people, language, tmp_path):
    programme, _town, staff, coordinator, _specialists = people
    text = TEXT[language]
    start = timezone.now() + dt.timedelta(days=40)
    event = services.event_create(
        by=coordinator,
        programme=programme,
        fields={
            "kind": EventKind.WINTER_CAMP,
            "title": "冬のDX合宿",
            "venue": "愛媛県庁 大会議室",
            "starts_at": start,
            "ends_at": start + dt.timedelta(days=1),
            "capacity": 20,
            "audience": Audience.PROGRAMME,
        },
    )
    page = _page(browser, live_server, staff, language, accept_downloads=True)
    page.goto("/events/")
    page.get_by_role("link", name="冬のDX合宿").click()
    page.get_by_role("button", name=text["register"]).click()
    assert text["registered"] in page.locator(".messages").inner_text()
    assert event.registrations.filter(user=staff, status="registered").exists()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=text["ics"]).click()
    path = Path(tmp_path) / "event.ics"
    download_info.value.save_as(path)
    vevent = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")[0]
    assert str(vevent["summary"]).endswith("冬のDX合宿") and str(vevent["location"]) == "愛媛県庁 大会議室"
    page.context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_new_pages_pass_axe_and_the_list_fits_a_phone(browser, live_server, people, language):
    programme, town, staff, coordinator, specialists = people
    yesterday = timezone.now() - dt.timedelta(days=1)
    trip, _ = services.trip_plan(
        by=coordinator,
        programme=programme,
        municipality=town,
        specialists=[specialists[Domain.DESIGN], specialists[Domain.DATA]],
        starts_at=yesterday,
        ends_at=yesterday + dt.timedelta(hours=2),
        purpose="窓口DXの打合せ",
        participants=[staff],
    )
    event = services.event_create(
        by=coordinator,
        programme=programme,
        fields={
            "kind": EventKind.WORKSHOP,
            "title": "データ活用ワークショップ",
            "starts_at": yesterday,
            "ends_at": yesterday + dt.timedelta(hours=3),
            "audience": Audience.PROGRAMME,
        },
    )
    today = timezone.localdate().isoformat()
    found = {}
    for user, urls in (
        (
            coordinator,
            [
                f"/calendar/?date={today}",
                f"/calendar/?view=week&date={today}",
                f"/calendar/?view=list&date={today}",
                "/visits/new/",
                trip.get_absolute_url(),
                f"/visits/{trip.pk}/edit/",
                f"/visits/{trip.pk}/done/",
                f"/visits/{trip.pk}/cancel/",
                "/events/",
                "/events/new/",
                event.get_absolute_url(),
                f"/events/{event.pk}/edit/",
                f"/events/{event.pk}/attendance/",
                f"/events/{event.pk}/cancel/",
                "/calendar/feeds/",
            ],
        ),
        (
            staff,
            [
                f"/calendar/?view=list&date={today}",
                trip.get_absolute_url(),
                event.get_absolute_url(),
                "/calendar/feeds/",
            ],
        ),
    ):
        page = _page(browser, live_server, user, language, bypass_csp=True)
        for url in urls:
            page.goto(url)
            found[f"{user.role} {url}"] = _violations(page)
        page.context.close()
    problems = {name: v for name, v in found.items() if v}
    assert not problems, problems

    page = _page(browser, live_server, coordinator, language, width=390)
    for url in (
        f"/calendar/?view=list&date={today}",
        f"/calendar/?date={today}",
        trip.get_absolute_url(),
        "/visits/new/",
    ):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
    page.goto(f"/calendar/?view=list&date={today}")
    screenshot(page, f"calendar-list-390-{language}")
    page.context.close()
