"""Partners and matching in a real browser, in Japanese and English: municipal staff post a need (a missing domain
first: the error summary), the coordinator reads the proposals and records an introduction, then its outcome. Every
page of the directory passes axe-core and fits a 390 px phone."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.enums import Role
from knowledge.partners import services
from knowledge.partners.models import Introduction, Need
from specialists.enums import Domain
from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import _violations
from tests.browser.test_reminders import PASSWORD, _fits, _page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):
    programme = factories.ProgrammeFactory(name="愛媛県・市町DX推進会議", reference_prefix="EH", slug="ehime")
    region = factories.RegionFactory(prefecture=programme.prefecture, name="中予", name_en="Chuyo")
    town = factories.MembershipFactory(
        programme=programme, municipality__name="内子町", municipality__region=region
    ).municipality
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
    common = {
        "organisation": "",
        "contact_name": "山田 一郎",
        "contact_email": "yamada@example.jp",
        "contact_phone": "",
        "active": True,
    }
    data = services.partner_create(
        by=coordinator,
        programme=programme,
        fields={
            **common,
            "kind": "company",
            "name": "株式会社データ工房",
            "description": "オープンデータの公開を支援します。",
            "visibility": "public",
        },
        domains=[Domain.DATA],
        skills=["オープンデータ", "BI"],
        regions=[region],
    )
    seconded = services.partner_create(
        by=coordinator,
        programme=programme,
        fields={
            **common,
            "kind": "seconded",
            "name": "佐藤 健",
            "organisation": "株式会社まちづくり観光",
            "description": "観光DXの地域活性化起業人。",
            "visibility": "programme",
        },
        domains=[Domain.PR, Domain.DATA],
        skills=["観光", "SNS"],
        regions=[],
    )
    today = timezone.localdate()
    start = today - dt.timedelta(days=300)
    agreement = services.agreement_create(
        by=coordinator,
        programme=programme,
        partner=seconded,
        municipality=town,
        fields={
            "signed_on": start - dt.timedelta(days=10),
            "purpose": "観光DXの推進",
            "scope": "観光データの分析",
            "starts_on": start,
            "ends_on": today + dt.timedelta(days=45),
            "yearly_cost": 5_600_000,
        },
    )
    need = services.need_post(
        by=staff,
        fields={
            "title": "観光データを分析できる人",
            "description": "来訪者の動向を知りたい。",
            "domain": "data",
            "region": None,
        },
        skills=["観光"],
    )
    return {
        "programme": programme,
        "staff": staff,
        "coordinator": coordinator,
        "data": data,
        "seconded": seconded,
        "agreement": agreement,
        "need": need,
    }


def _pages(world):
    return [
        (world["coordinator"], "/knowledge/partners/"),
        (world["coordinator"], "/knowledge/partners/?domain=data&skill=観光"),
        (world["coordinator"], world["seconded"].get_absolute_url()),
        (world["coordinator"], world["agreement"].get_absolute_url()),
        (world["coordinator"], "/knowledge/partners/new/"),
        (world["coordinator"], f"/knowledge/partners/{world['seconded'].pk}/edit/"),
        (world["coordinator"], f"/knowledge/partners/{world['seconded'].pk}/agreements/new/"),
        (world["coordinator"], f"/knowledge/partners/agreements/{world['agreement'].pk}/edit/"),
        (world["coordinator"], "/knowledge/partners/needs/"),
        (world["coordinator"], world["need"].get_absolute_url()),
        (world["staff"], "/knowledge/partners/"),
        (world["staff"], "/knowledge/partners/needs/new/"),
        (world["staff"], world["need"].get_absolute_url()),
        (world["staff"], world["agreement"].get_absolute_url()),
    ]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_partner_pages_pass_axe_and_fit_a_phone(browser, live_server, world, language):
    for user, url in _pages(world):
        for width in (1366, 390):
            page = _page(browser, live_server, user, language, width=width)
            page.goto(url)
            assert _fits(page), (url, width)
            assert page.problems == []
            page.context.close()
            page = _page(browser, live_server, user, language, width=width, bypass_csp=True)
            page.goto(url)
            assert _violations(page) == [], (url, width)
            screenshot(page, f"partners-{url.strip('/').replace('/', '-').replace('?', '-')}-{width}-{language}")
            page.context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_need_is_posted_matched_and_introduced(browser, live_server, world, language):
    staff, coordinator = world["staff"], world["coordinator"]
    page = _page(browser, live_server, staff, language, width=390, bypass_csp=True)
    page.goto("/knowledge/partners/needs/new/")
    page.locator("#id_title").fill("オープンデータを公開できる人")
    page.locator("#id_description").fill("データカタログを作りたい。")
    page.locator("#id_skills").fill("オープンデータ, <b>BI</b>")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("[data-error-summary]")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.title().startswith("エラー：" if language == "ja" else "Error:")
    assert page.locator("[data-error-summary] a").first.get_attribute("href") == "#id_domain"
    assert _violations(page) == [] and _fits(page)
    assert Need.objects.count() == 1
    page.locator("#id_domain").select_option("data")
    page.locator("#id_skills").fill("オープンデータ, BI")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".message--success")
    need = Need.objects.latest("id")
    assert need.title == "オープンデータを公開できる人" and need.municipality == staff.organisation
    assert _violations(page) == [] and _fits(page)
    page.context.close()

    page = _page(browser, live_server, coordinator, language, width=390, bypass_csp=True)
    page.goto(need.get_absolute_url())
    proposals = page.locator("section[aria-labelledby=proposals-heading] li")
    assert proposals.first.inner_text().startswith("株式会社データ工房")
    page.locator("#id_partner").select_option(str(world["data"].pk))
    page.locator("#id_note").fill("担当者に連絡済み")
    page.locator("section[aria-labelledby=introduce-heading] button[type=submit]").click()
    page.wait_for_selector(".message--success")
    introduction = Introduction.objects.get(need=need)
    assert introduction.partner == world["data"] and introduction.introduced_by == coordinator
    assert _violations(page) == [] and _fits(page)
    page.locator(f"#id_i{introduction.pk}-outcome").select_option("agreed")
    page.locator(f"form[action$='/introductions/{introduction.pk}/outcome/'] button[type=submit]").click()
    page.wait_for_selector(".message--success")
    introduction.refresh_from_db()
    need.refresh_from_db()
    assert (introduction.outcome, need.status) == ("agreed", "matched")
    assert _violations(page) == [] and _fits(page)
    page.context.close()
