"""The knowledge library in a real browser, in Japanese and English: a specialist writes up an answered request as a
case and publishes it, another municipality finds it by a word inside a compound, in half-width katakana; the
filing form shows similar past cases as the person types. Every page passes axe-core and fits a 390 px phone."""

import datetime as dt

import pytest

from accounts.enums import Role
from consultations import services as consultation_services
from knowledge import services
from knowledge.models import Item
from specialists.enums import Domain
from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import _violations
from tests.browser.test_reminders import PASSWORD, _fits, _page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "ja": {"write": "事例として書く", "save": "下書きとして保存", "publish": "公開する", "search": "検索"},
    "en": {"write": "Write it up as a case", "save": "Save as draft", "publish": "Publish", "search": "Search"},
}


@pytest.fixture
def world(db):
    programme = factories.ProgrammeFactory(name="愛媛県・市町DX推進会議", reference_prefix="EH", slug="ehime")
    town = factories.MembershipFactory(programme=programme, municipality__name="内子町").municipality
    other_town = factories.MembershipFactory(programme=programme, municipality__name="砥部町").municipality
    staff = factories.UserFactory(
        role=Role.MUNICIPAL, programme=programme, organisation=town, email="staff@uchiko.example.jp", password=PASSWORD
    )
    other_staff = factories.UserFactory(
        role=Role.MUNICIPAL,
        programme=programme,
        organisation=other_town,
        email="staff@tobe.example.jp",
        password=PASSWORD,
    )
    coordinator = factories.UserFactory(
        role=Role.COORDINATOR, programme=programme, email="coord@example.jp", password=PASSWORD
    )
    specialist = factories.SpecialistFactory(
        user__programme=programme, user__password=PASSWORD, domain=Domain.DESIGN, active_from=dt.date(2020, 4, 1)
    )
    consultation = consultation_services.consultation_file(
        author=staff,
        fields={
            "title": "マイナンバーカードの申請を増やしたい",
            "description": "出張申請窓口の開き方を知りたいです。",
            "requested_domain": "",
            "urgency": "normal",
            "help_format": "online",
            "wanted_by": None,
            "timing_note": "",
            "confidential": False,
        },
        files=[],
    )
    consultation_services.consultation_route(consultation=consultation, specialist=specialist, by=coordinator)
    consultation.refresh_from_db()
    consultation_services.consultation_reply(
        consultation=consultation, author=specialist.user, body="商業施設での出張申請をお勧めします。", then="answered"
    )
    consultation.refresh_from_db()
    return programme, staff, other_staff, specialist.user, consultation


def test_a_case_is_written_published_and_found(browser, live_server, world):
    _programme, _staff, other_staff, specialist, consultation = world
    page = _page(browser, live_server, specialist, "ja")
    page.goto(consultation.get_absolute_url())
    page.get_by_role("link", name=TEXT["ja"]["write"]).click()
    page.locator("#id_title").fill("マイナンバーカードの出張申請窓口")
    page.locator("#id_summary").fill("繁忙期に窓口が混雑し、カードの申請が伸びなかった。")
    page.locator("#id_advice").fill("商業施設で出張申請を受け付ける。")
    page.locator("#id_tags").fill("マイナンバーカード、窓口")
    page.get_by_role("button", name=TEXT["ja"]["save"]).click()
    page.get_by_role("button", name=TEXT["ja"]["publish"]).click()
    page.wait_for_selector(".message--success")
    assert Item.objects.get().is_published
    assert page.problems == []
    page.context.close()

    page = _page(browser, live_server, other_staff, "ja")
    page.goto("/knowledge/")
    page.locator("#id_q").fill("ｶｰﾄﾞ")  # half-width, inside 「マイナンバーカード」
    page.get_by_role("button", name=TEXT["ja"]["search"], exact=True).click()
    result = page.locator(".library-list .card__title a")
    assert result.count() == 1 and result.first.inner_text() == "マイナンバーカードの出張申請窓口"
    assert page.locator(".library-list mark").first.inner_text() == "カード"
    assert "内子町" not in page.locator("main").inner_text()  # anonymous
    screenshot(page, "library-search-ja")
    page.context.close()


def test_the_filing_form_shows_similar_cases_as_one_types(browser, live_server, world):
    _programme, _staff, other_staff, specialist, consultation = world
    item = services.case_create(
        by=specialist,
        consultation=consultation,
        fields={
            "title": "マイナンバーカードの出張申請",
            "summary": "出張申請窓口",
            "advice": "商業施設で",
            "outcome": "",
            "domain": "design",
        },
        tag_names=[],
    )
    services.item_publish(by=specialist, item=item)
    page = _page(browser, live_server, other_staff, "ja")
    page.goto("/consultations/new/")
    page.locator("#id_title").fill("マイナンバーカードを普及させたい")
    page.locator("#id_description").press_sequentially("出張申請について", delay=20)
    page.wait_for_selector(".similar-list a")
    assert page.locator(".similar-list a").first.inner_text() == "マイナンバーカードの出張申請"
    assert page.problems == []


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_library_pages_pass_axe_and_fit_a_phone(browser, live_server, world, language):
    _programme, staff, other_staff, specialist, consultation = world
    item = services.case_create(
        by=specialist,
        consultation=consultation,
        fields={
            "title": "マイナンバーカードの出張申請",
            "summary": "出張申請窓口",
            "advice": "商業施設で",
            "outcome": "効果",
            "domain": "design",
        },
        tag_names=["窓口"],
    )
    services.item_publish(by=specialist, item=item)
    services.naming_ask(by=specialist, item=item)
    pages = [
        (other_staff, "/knowledge/"),
        (other_staff, "/knowledge/?q=窓口"),
        (other_staff, "/knowledge/?q=a"),  # the error summary
        (other_staff, item.get_absolute_url()),
        (staff, item.get_absolute_url()),  # the naming decision
        (specialist, item.get_absolute_url()),
        (specialist, f"/knowledge/{item.pk}/edit/"),
        (specialist, "/knowledge/deliverables/new/"),
        (staff, "/consultations/new/"),
    ]
    for user, url in pages:
        for width in (1366, 390):
            page = _page(browser, live_server, user, language, width=width)
            page.goto(url)
            assert _fits(page), (url, width)
            # The refused search answers 400 (the browser logs that); anything else would be a script or CSP error.
            assert [p for p in page.problems if "status of 400" not in p] == [], url
            page.context.close()
            page = _page(browser, live_server, user, language, width=width, bypass_csp=True)
            page.goto(url)
            assert _violations(page) == [], (url, width)
            page.context.close()
