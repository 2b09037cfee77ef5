"""Communities in a real browser, in Japanese and English: the coordinator creates a community of a region (the
error summary first), posts an announcement; a member municipality's staff read it and the event opened to the
community. Every page passes axe-core and fits a 390 px phone."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.enums import Role
from municipalities import communities
from municipalities.enums import CommunityRule
from tests import factories
from tests.browser.test_accessibility import _violations
from tests.browser.test_reminders import PASSWORD, _fits, _page
from visits import services as visit_services
from visits.enums import Audience, EventKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "ja": {"create": "コミュニティを作成する", "post": "お知らせを投稿する", "open": "お知らせを投稿"},
    "en": {"create": "Create the community", "post": "Post the announcement", "open": "Post an announcement"},
}


@pytest.fixture
def world(db):
    programme = factories.ProgrammeFactory(name="愛媛県・市町DX推進会議", reference_prefix="EH", slug="ehime")
    region = factories.RegionFactory(prefecture=programme.prefecture, name="南予", name_en="Nanyo")
    town = factories.MembershipFactory(
        programme=programme, municipality__name="内子町", municipality__region=region, municipality__population=15_000
    ).municipality
    factories.MembershipFactory(programme=programme, municipality__name="松前町")
    staff = factories.UserFactory(
        role=Role.MUNICIPAL, programme=programme, organisation=town, email="staff@uchiko.example.jp", password=PASSWORD
    )
    coordinator = factories.UserFactory(
        role=Role.COORDINATOR, programme=programme, email="coord@example.jp", password=PASSWORD
    )
    return programme, region, staff, coordinator


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_community_is_made_announced_and_read(browser, live_server, world, language):
    programme, region, staff, coordinator = world
    page = _page(browser, live_server, coordinator, language)
    page.goto("/communities/new/")
    page.locator("#id_name").fill("南予の町")
    page.locator("#id_rule_0").check()  # a region… without choosing it
    page.get_by_role("button", name=TEXT[language]["create"]).click()
    page.wait_for_selector("[data-error-summary]")
    page.locator("#id_region").select_option(str(region.pk))
    page.get_by_role("button", name=TEXT[language]["create"]).click()
    page.wait_for_selector(".message--success")
    page.locator("summary", has_text=TEXT[language]["open"]).click()
    page.locator("#id_title").fill("南予DX勉強会")
    page.locator("#id_body").fill("来月、内子町で開催します。")
    page.get_by_role("button", name=TEXT[language]["post"]).click()
    page.wait_for_selector(".message--success")
    assert [p for p in page.problems if "status of 400" not in p] == []  # the refused form answered 400
    page.context.close()

    community = programme.communities.get()
    starts_at = timezone.now() + dt.timedelta(days=14)
    visit_services.event_create(
        by=coordinator,
        programme=programme,
        fields={
            "kind": EventKind.WORKSHOP,
            "title": "南予の勉強会",
            "description": "",
            "venue": "内子町役場",
            "online_url": "",
            "starts_at": starts_at,
            "ends_at": starts_at + dt.timedelta(hours=2),
            "capacity": None,
            "audience": Audience.COMMUNITY,
            "community": community,
        },
    )
    page = _page(browser, live_server, staff, language)
    page.goto("/communities/")
    page.get_by_role("link", name="南予の町").click()
    main = page.locator("main").inner_text()
    assert "南予DX勉強会" in main and "南予の勉強会" in main
    page.context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_community_pages_pass_axe_and_fit_a_phone(browser, live_server, world, language):
    programme, region, staff, coordinator = world
    community = communities.community_create(
        by=coordinator,
        programme=programme,
        fields={"name": "南予の町", "description": "地域の勉強会", "rule": CommunityRule.REGION, "region": region},
    )
    communities.announcement_post(by=coordinator, community=community, title="お知らせ", body="本文です。")
    pages = [
        (staff, "/communities/"),
        (staff, community.get_absolute_url()),
        (coordinator, community.get_absolute_url()),
        (coordinator, "/communities/new/"),
        (coordinator, f"/communities/{community.pk}/edit/"),
    ]
    for user, url in pages:
        for width in (1366, 390):
            page = _page(browser, live_server, user, language, width=width)
            page.goto(url)
            assert _fits(page), (url, width)
            assert page.problems == [], url
            page.context.close()
            page = _page(browser, live_server, user, language, width=width, bypass_csp=True)
            page.goto(url)
            assert _violations(page) == [], (url, width)
            page.context.close()
