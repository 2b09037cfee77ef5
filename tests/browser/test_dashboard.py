"""The programme's figures in a real browser, in Japanese and English: axe-core finds nothing, the page fits a
390 px phone, the year can be chosen with the keyboard, and the chart is drawn without any script."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.enums import Role
from municipalities.models import ProgrammeTarget
from specialists.enums import Domain
from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import _violations
from tests.browser.test_reminders import PASSWORD, _fits, _page
from visits import services as visit_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def world(db):
    programme = factories.ProgrammeFactory(name="愛媛県・市町DX推進会議", reference_prefix="EH", slug="ehime")
    towns = [
        factories.MembershipFactory(programme=programme, municipality__name=n).municipality
        for n in ("内子町", "伊方町")
    ]
    coordinator = factories.UserFactory(
        role=Role.COORDINATOR, programme=programme, email="coord@example.jp", password=PASSWORD
    )
    prefecture = factories.PrefectureUserFactory(programme=programme, email="pref@example.jp", password=PASSWORD)
    specialist = factories.SpecialistFactory(
        user__programme=programme, domain=Domain.DATA, active_from=dt.date(2020, 4, 1)
    )
    ProgrammeTarget.objects.create(programme=programme, fiscal_year=2025, metric="onsite_visits", value=10)
    for day in (5, 12, 19):
        start = dt.datetime(2025, 8, day, 10, tzinfo=TOKYO)
        trip, _ = visit_services.trip_plan(
            by=coordinator,
            programme=programme,
            municipality=towns[0],
            specialists=[specialist],
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            purpose="打合せ",
        )
        visit_services.trip_mark_done(by=coordinator, trip=trip, outcome="実施")
    return programme, coordinator, prefecture, towns, specialist


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_dashboard_passes_axe_fits_a_phone_and_draws_without_script(browser, live_server, world, language):
    programme, coordinator, prefecture, _towns, _specialist = world
    url = f"/programmes/{programme.slug}/dashboard/?year=2025"
    for user in (coordinator, prefecture):
        for width in (1366, 390):
            page = _page(browser, live_server, user, language, width=width)
            page.goto(url)
            assert page.locator("svg.chart polyline.chart__current").count() == 1
            assert _fits(page), (user.role, width)
            assert page.problems == []  # nothing refused by the CSP, no script error
            page.context.close()
            page = _page(browser, live_server, user, language, width=width, bypass_csp=True)  # axe is injected
            page.goto(url)
            assert _violations(page) == [], (user.role, width)
            screenshot(page, f"dashboard-{user.role}-{width}-{language}")
            page.context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_targets_page_passes_axe_and_fits_a_phone(browser, live_server, world, language):
    programme, coordinator, _prefecture, _towns, _specialist = world
    for width in (1366, 390):
        page = _page(browser, live_server, coordinator, language, width=width, bypass_csp=True)
        page.goto(f"/programmes/{programme.slug}/targets/?year=2025")
        assert page.locator("#id_onsite_visits").input_value() == "10"
        assert _violations(page) == [] and _fits(page)
        page.locator("#id_onsite_visits").fill("-1")
        page.locator("main form button[type=submit]").click()
        page.wait_for_selector("[data-error-summary]")
        assert _violations(page) == [] and _fits(page)
        page.context.close()


def test_the_year_is_chosen_with_the_keyboard(browser, live_server, world):
    programme, coordinator, _prefecture, _towns, _specialist = world
    page = _page(browser, live_server, coordinator, "ja")
    page.goto(f"/programmes/{programme.slug}/dashboard/")
    page.get_by_label("年度", exact=True).focus()
    page.get_by_label("年度", exact=True).select_option("2025")
    page.get_by_role("button", name="表示").press("Enter")
    page.wait_for_url("**year=2025")
    assert page.get_by_role("heading", level=1).inner_text().startswith("2025年度の実績")
    assert "3 / 10" in page.locator(".stat-grid").inner_text()
    page.context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_municipalitys_and_a_specialists_year_pass_axe_and_fit_a_phone(browser, live_server, world, language):
    _programme, coordinator, _prefecture, towns, specialist = world
    for url in (
        f"/figures/municipalities/{towns[0].code}/?year=2025",
        f"/figures/specialists/{specialist.pk}/?year=2025",
    ):
        for width in (1366, 390):
            page = _page(browser, live_server, coordinator, language, width=width, bypass_csp=True)
            page.goto(url)
            assert _violations(page) == [], (url, width)
            assert _fits(page), (url, width)
            page.context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_exports_page_passes_axe_and_fits_a_phone(browser, live_server, world, language, settings, tmp_path):
    from django.core.files.base import ContentFile

    from reports.models import ExportJob, ExportStatus

    settings.MEDIA_ROOT = tmp_path
    _programme, coordinator, _prefecture, _towns, _specialist = world
    job = ExportJob.objects.create(user=coordinator, kind="visits", status=ExportStatus.DONE, rows=3)
    job.file.save("訪問.xlsx", ContentFile(b"x"))
    ExportJob.objects.create(user=coordinator, kind="requests")
    for width in (1366, 390):
        page = _page(browser, live_server, coordinator, language, width=width, bypass_csp=True)
        page.goto("/exports/")
        assert page.locator(f"a[href='/exports/{job.pk}/download/']").count() == 1
        assert _violations(page) == [] and _fits(page)
        page.context.close()
