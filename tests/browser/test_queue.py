"""The queue pages a page at a time in the browser, on a desk and on a phone; a specialist hands a request back."""

import datetime as dt

import pytest

from accounts.enums import Role
from consultations import services
from specialists.enums import Domain
from tests import factories
from tests.browser.conftest import screenshot, second_step
from tests.consultations.conftest import make_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "ehime-kaigi-2026"


@pytest.fixture
def people(db):
    programme = factories.ProgrammeFactory(name="愛媛県・市町DX推進会議", reference_prefix="EH")
    town = factories.MembershipFactory(programme=programme, municipality__name="内子町").municipality
    specialists = {
        d: factories.SpecialistFactory(user__programme=programme, domain=d, user__password=PASSWORD)
        for d in Domain.values
    }
    staff = factories.UserFactory(
        role=Role.MUNICIPAL, programme=programme, organisation=town, email="staff@uchiko.example.jp"
    )
    coordinator = factories.UserFactory(
        role=Role.COORDINATOR, programme=programme, email="coord@example.jp", password=PASSWORD
    )
    return staff, coordinator, specialists


def _sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    second_step(page, email)
    page.wait_for_url("**/")


def _no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_queue_pages_forward_and_back(browser, live_server, people, width):
    staff, coordinator, _specialists = people
    start = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    for number in range(30):
        factories.ConsultationFactory(
            requester=staff, title=f"相談その{number + 1:02d}", submitted_at=start + dt.timedelta(hours=number)
        )
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport={"width": width, "height": 900})
    page = context.new_page()
    _sign_in(page, coordinator.email)
    page.goto("/consultations/")
    assert "30件の相談" in page.get_by_role("status").first.inner_text()
    assert page.get_by_role("link", name="相談その30").is_visible()  # newest first
    assert _no_sideways_scrolling(page)
    pages = page.get_by_role("navigation", name="ページ")
    pages.get_by_role("link", name="次へ").click()
    assert page.get_by_role("link", name="相談その05").count() == 1
    assert page.get_by_role("link", name="相談その30").count() == 0
    assert _no_sideways_scrolling(page)
    screenshot(page, f"queue-second-page-{width}")
    page.get_by_role("navigation", name="ページ").get_by_role("link", name="前へ").click()
    assert page.get_by_role("link", name="相談その30").count() == 1
    page.goto("/consultations/?cursor=tampered")
    assert "最初から表示" in page.locator(".messages").inner_text()
    context.close()


def test_a_specialist_hands_a_request_back(browser, live_server, people):
    staff, coordinator, specialists = people
    consultation = make_request(staff, title="庁内ネットワークの分離を見直したい")
    services.consultation_route(consultation=consultation, specialist=specialists[Domain.DESIGN], by=coordinator)

    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport={"width": 390, "height": 900})
    page = context.new_page()
    _sign_in(page, specialists[Domain.DESIGN].user.email)
    page.goto(consultation.get_absolute_url())
    assert _no_sideways_scrolling(page)
    page.get_by_text("担当分野でない場合：支援センターに差し戻す").click()  # the form folds away until asked for
    page.get_by_role("button", name="差し戻す").click()  # without a reason first
    assert page.get_by_role("alert").first.is_visible()
    page.get_by_label("担当を外れる理由").fill("ネットワークの案件なので、システム・セキュリティの専門官が適任です。")
    page.get_by_role("button", name="差し戻す").click()
    assert "振り分け待ちに戻しました" in page.locator(".messages").inner_text()
    screenshot(page, "consultation-handed-back-390")
    context.close()

    context = browser.new_context(base_url=live_server.url, locale="ja-JP")
    page = context.new_page()
    _sign_in(page, coordinator.email)
    page.goto("/consultations/inbox/")
    row = page.locator("tbody tr").filter(has_text="庁内ネットワークの分離を見直したい")
    assert "差し戻し" in row.inner_text()
    row.get_by_role("link", name="振り分ける").click()
    assert "システム・セキュリティの専門官が適任です" in page.content()
    context.close()
