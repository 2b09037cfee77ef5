"""A municipal user files a request in the browser; a coordinator routes it; the specialist answers."""

import pytest

from accounts.enums import Role
from specialists.enums import Domain
from tests import factories
from tests.browser.conftest import screenshot, second_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "ehime-kaigi-2026"


@pytest.fixture
def people(db):
    programme = factories.ProgrammeFactory(name="愛媛県・市町DX推進会議", reference_prefix="EH")
    town = factories.MembershipFactory(programme=programme, municipality__name="内子町").municipality
    specialists = {
        d: factories.SpecialistFactory(
            user__programme=programme, domain=d, user__full_name=f"専門官{i}", user__password=PASSWORD
        )
        for i, d in enumerate(Domain.values)
    }
    staff = factories.UserFactory(
        role=Role.MUNICIPAL,
        programme=programme,
        organisation=town,
        email="staff@uchiko.example.jp",
        full_name="内子 花子",
        password=PASSWORD,
    )
    coordinator = factories.UserFactory(
        role=Role.COORDINATOR, programme=programme, email="coord@example.jp", full_name="中村 彩", password=PASSWORD
    )
    return staff, coordinator, specialists


def _sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    second_step(page, email)
    page.wait_for_url("**/")


def test_file_route_and_answer_in_the_browser(browser, live_server, people):
    staff, coordinator, specialists = people

    context = browser.new_context(base_url=live_server.url, locale="ja-JP")
    page = context.new_page()
    _sign_in(page, staff.email)
    page.get_by_role("link", name="相談する").click()
    page.get_by_label("件名").fill("住民向けSNSの運用を見直したい")
    page.get_by_label("相談内容").fill(
        "町のSNSアカウントが課ごとに乱立しており、発信がばらばらです。統合の進め方を相談したいです。"
    )
    page.get_by_label("訪問支援").check()
    page.get_by_role("button", name="相談を提出する").click()
    assert page.get_by_role("heading", level=1).inner_text() == "相談を受け付けました"
    reference = page.locator("strong").first.inner_text()
    assert reference.startswith("EH-")
    screenshot(page, "consultation-submitted-ja")
    context.close()

    context = browser.new_context(base_url=live_server.url, locale="ja-JP")
    page = context.new_page()
    _sign_in(page, coordinator.email)
    page.get_by_role("navigation").get_by_role("link", name="振り分け").click()
    row = page.get_by_role("row").filter(has_text=reference)
    assert "広報・マーケティング" in row.inner_text()  # the suggested domain
    row.get_by_role("link", name="振り分ける").click()
    suggested = page.get_by_label("専門官4", exact=False)
    assert suggested.is_checked()  # the suggestion is preselected
    screenshot(page, "consultation-route-ja")
    page.get_by_role("button", name="振り分ける").click()
    assert "振り分けました" in page.get_by_role("status").first.inner_text()
    context.close()

    context = browser.new_context(base_url=live_server.url, locale="ja-JP")
    page = context.new_page()
    _sign_in(page, specialists[Domain.PR].user.email)
    page.goto("/consultations/?mine=true")
    page.get_by_role("link", name="住民向けSNSの運用を見直したい").click()
    page.get_by_label("メッセージ").fill("アカウントの棚卸し表を作り、統合の順番を決めましょう。")
    page.get_by_role("button", name="回答として送信する").click()
    assert "回答済み（市町の確認待ち）" in page.locator(".page-header__status").inner_text()
    screenshot(page, "consultation-answered-ja")
    context.close()
