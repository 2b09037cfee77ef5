"""Surveys in a real browser, in Japanese and English: municipal staff open their surveys and answer one with the
keyboard (a missing answer first: the error summary), the coordinator reads the response rates and opens the
year-end survey. Every page passes axe-core and fits a 390 px phone."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.enums import Role
from reports import surveys
from reports.models import Survey, SurveyAnswer
from specialists.enums import Domain
from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import _violations
from tests.browser.test_reminders import PASSWORD, _fits, _page
from visits import services as visit_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "ja": {"send": "回答を送信する", "saved": "ご回答ありがとうございました", "open": "年度末アンケートを開始する"},
    "en": {"send": "Send the answer", "saved": "Thank you: your answer is saved.", "open": "Open the year-end survey"},
}


@pytest.fixture
def world(db):
    programme = factories.ProgrammeFactory(name="愛媛県・市町DX推進会議", reference_prefix="EH", slug="ehime")
    town = factories.MembershipFactory(programme=programme, municipality__name="内子町").municipality
    staff = factories.UserFactory(
        role=Role.MUNICIPAL,
        programme=programme,
        organisation=town,
        email="staff@uchiko.example.jp",
        full_name="内子 花子",
        password=PASSWORD,
    )
    coordinator = factories.UserFactory(
        role=Role.COORDINATOR, programme=programme, email="coord@example.jp", password=PASSWORD
    )
    specialist = factories.SpecialistFactory(
        user__programme=programme, domain=Domain.DATA, active_from=dt.date(2020, 4, 1)
    )
    starts_at = timezone.now() - dt.timedelta(days=1)
    trip, _hints = visit_services.trip_plan(
        by=coordinator,
        programme=programme,
        municipality=town,
        specialists=[specialist],
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        purpose="窓口DXの打合せ",
        participants=[staff],
    )
    visit_services.trip_mark_done(by=coordinator, trip=trip, outcome="実施")
    surveys.surveys_open_due()
    return programme, staff, coordinator, Survey.objects.get(trip=trip)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_survey_pages_pass_axe_and_fit_a_phone(browser, live_server, world, language):
    programme, staff, coordinator, survey = world
    pages = [
        (staff, "/surveys/"),
        (staff, survey.get_absolute_url()),
        (coordinator, f"/programmes/{programme.slug}/surveys/"),
    ]
    for user, url in pages:
        for width in (1366, 390):
            page = _page(browser, live_server, user, language, width=width)
            page.goto(url)
            assert _fits(page), (url, width)
            assert page.problems == []  # nothing refused by the CSP, no script error
            page.context.close()
            page = _page(browser, live_server, user, language, width=width, bypass_csp=True)  # axe is injected
            page.goto(url)
            assert _violations(page) == [], (url, width)
            screenshot(page, f"surveys-{url.strip('/').replace('/', '-')}-{width}-{language}")
            page.context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_answering_with_the_keyboard_after_a_missing_answer(browser, live_server, world, language):
    _programme, staff, _coordinator, survey = world
    text = TEXT[language]
    page = _page(browser, live_server, staff, language, width=390, bypass_csp=True)
    page.goto(survey.get_absolute_url())
    page.locator("#id_overall_1").check()  # 4: satisfied; usefulness left empty
    page.get_by_role("button", name=text["send"]).press("Enter")
    page.wait_for_selector("[data-error-summary]")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.title().startswith("エラー：" if language == "ja" else "Error:")
    assert _violations(page) == [] and _fits(page)
    assert not SurveyAnswer.objects.exists()
    assert page.locator("[data-error-summary] a").get_attribute("href") == "#id_usefulness_0"
    page.locator("#id_usefulness_0").focus()
    page.keyboard.press("Space")  # the first choice of the scale: 5
    assert page.locator("#id_usefulness_0").is_checked()
    page.get_by_role("button", name=text["send"]).press("Enter")
    page.wait_for_url("**/surveys/")
    assert text["saved"] in page.locator(".messages").inner_text()
    assert _violations(page) == [] and _fits(page)
    answer = SurveyAnswer.objects.get()
    assert (answer.respondent_id, answer.overall, answer.usefulness) == (staff.pk, 4, 5)
    page.context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_coordinator_opens_the_year_end_survey(browser, live_server, world, language):
    programme, _staff, coordinator, _survey = world
    page = _page(browser, live_server, coordinator, language, width=390, bypass_csp=True)
    page.goto(f"/programmes/{programme.slug}/surveys/")
    page.locator("#id_closes_on").fill("2020-01-01")
    page.get_by_role("button", name=TEXT[language]["open"]).click()
    page.wait_for_selector("[data-error-summary]")
    assert _violations(page) == [] and _fits(page)
    page.locator("#id_closes_on").fill((timezone.localdate() + dt.timedelta(days=10)).isoformat())
    page.get_by_role("button", name=TEXT[language]["open"]).click()
    page.wait_for_selector(".message--success")
    assert Survey.objects.filter(kind="year_end").count() == 1
    assert _violations(page) == [] and _fits(page)
    page.context.close()
