"""The hand-offs in a real browser, in Japanese and English: whose turn it is both ways, the error summary's links
and focus, confirmation before withdrawing, and a 390 px phone (cards, a folding menu, nothing wider than the
screen)."""

import pytest

from accounts.enums import Role
from consultations import services
from specialists.enums import Domain
from tests import factories
from tests.browser.conftest import screenshot, second_step
from tests.consultations.conftest import make_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "ehime-kaigi-2026"

TEXT = {
    "ja": {
        "login": "ログイン",
        "email": "メールアドレス",
        "password": "パスワード",
        "your_reply": "あなたの回答を待っている相談",
        "replied": "市町から返信あり",
        "please_reply": "回答をお願いします",
        "ask": "送信して市町の回答を待つ",
        "send": "送信する",
        "message": "メッセージ",
        "new": "相談する",
        "submit": "相談を提出する",
        "title_error": "件名を入力してください。",
        "error_title": "エラー：",
        "withdraw": "相談を取り下げる",
        "reason": "取り下げる理由",
        "reason_missing": "取り下げる理由を入力してください。",
        "menu": "メニュー",
    },
    "en": {
        "login": "Sign in",
        "email": "E-mail address",
        "password": "Password",
        "your_reply": "Waiting for your reply",
        "replied": "The municipality replied",
        "please_reply": "Please reply",
        "ask": "Send and wait for the municipality's answer",
        "send": "Send",
        "message": "Message",
        "new": "File a consultation",
        "submit": "Submit the request",
        "title_error": "Enter a subject.",
        "error_title": "Error:",
        "withdraw": "Withdraw the request",
        "reason": "Why do you withdraw the request?",
        "reason_missing": "Write why you withdraw the request.",
        "menu": "Menu",
    },
}


@pytest.fixture
def people(db):
    programme = factories.ProgrammeFactory(name="愛媛県・市町DX推進会議", reference_prefix="EH")
    town = factories.MembershipFactory(programme=programme, municipality__name="内子町").municipality
    specialists = {
        d: factories.SpecialistFactory(user__programme=programme, domain=d, user__password=PASSWORD)
        for d in Domain.values
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
        role=Role.COORDINATOR, programme=programme, email="coord@example.jp", password=PASSWORD
    )
    return staff, coordinator, specialists


def _context(browser, live_server, width=1366):
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport={"width": width, "height": 900})
    context.base_url_for_tests = live_server.url
    return context


def _sign_in(page, user, language):
    base_url = page.context.base_url_for_tests
    """Sign in as `user`, whose account speaks `language`: the pages follow the account after signing in."""
    type(user).objects.filter(pk=user.pk).update(language=language)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    second_step(page, user.email)
    page.wait_for_url("**/")
    assert page.locator("html").get_attribute("lang") == language


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_whose_turn_it_is_passes_from_the_specialist_to_the_municipality_and_back(
    browser, live_server, people, language
):
    staff, coordinator, specialists = people
    text = TEXT[language]
    design = specialists[Domain.DESIGN]
    consultation = make_request(staff, title="窓口の申請書を見直したい")
    services.consultation_route(consultation=consultation, specialist=design, by=coordinator)

    # The specialist asks a question: the request now waits for the municipality.
    context = _context(browser, live_server)
    page = context.new_page()
    _sign_in(page, design.user, language)
    page.goto(consultation.get_absolute_url())
    assert page.locator(".banner--action").is_visible()
    page.get_by_label(text["message"]).fill("現在の申請書の様式を添付していただけますか。")
    page.get_by_role("button", name=text["ask"]).click()
    assert not page.locator(".banner--action").is_visible()
    context.close()

    # The municipality's home page leads with it, in its words; it replies from the banner.
    context = _context(browser, live_server)
    page = context.new_page()
    _sign_in(page, staff, language)
    waiting = page.get_by_role("region", name=text["your_reply"], exact=True)
    assert "窓口の申請書を見直したい" in waiting.inner_text()
    assert text["please_reply"] in waiting.locator(".badge--action").inner_text()
    screenshot(page, f"handoff-municipal-home-{language}")
    waiting.get_by_role("link", name="窓口の申請書を見直したい").click()
    banner = page.locator(".banner--action")
    assert text["please_reply"] in banner.inner_text()
    banner.get_by_role("link").click()
    page.get_by_label(text["message"]).fill("様式を添付します。")
    page.get_by_role("button", name=text["send"], exact=True).click()
    assert not page.locator(".banner--action").is_visible()
    context.close()

    # Back to the specialist: "the municipality replied".
    context = _context(browser, live_server)
    page = context.new_page()
    _sign_in(page, design.user, language)
    replied = page.get_by_role("region", name=text["replied"], exact=True)
    assert "窓口の申請書を見直したい" in replied.inner_text()
    screenshot(page, f"handoff-specialist-home-{language}")
    context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_error_summary_takes_the_focus_and_links_to_each_field(browser, live_server, people, language):
    staff, _coordinator, _specialists = people
    text = TEXT[language]
    context = _context(browser, live_server)
    page = context.new_page()
    _sign_in(page, staff, language)
    page.goto("/consultations/new/")
    page.get_by_role("button", name=text["submit"]).click()
    page.wait_for_selector("[data-error-summary]")
    assert page.title().startswith(text["error_title"])
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    summary = page.locator("[data-error-summary]")
    screenshot(page, f"form-errors-{language}")
    summary.get_by_role("link", name=text["title_error"]).click()
    assert page.evaluate("document.activeElement.id") == "id_title"
    # By keyboard too: from the summary, Tab reaches its first link.
    page.reload()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_title"
    context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_withdrawing_is_confirmed_with_a_required_reason(browser, live_server, people, language):
    staff, _coordinator, _specialists = people
    text = TEXT[language]
    consultation = make_request(staff, title="取り下げる相談")
    context = _context(browser, live_server)
    page = context.new_page()
    _sign_in(page, staff, language)
    page.goto(consultation.get_absolute_url())
    page.get_by_role("link", name=text["withdraw"]).click()
    assert page.get_by_role("heading", level=1).inner_text() == text["withdraw"]
    page.get_by_role("button").filter(has_text=text["withdraw"].split()[-1]).last.click()
    assert text["reason_missing"] in page.locator("[data-error-summary]").inner_text()
    consultation.refresh_from_db()
    assert consultation.status == "submitted"
    page.get_by_label(text["reason"]).fill("庁内で解決しました")
    page.get_by_role("button").filter(has_text=text["withdraw"].split()[-1]).last.click()
    page.wait_for_url(f"**{consultation.get_absolute_url()}")
    consultation.refresh_from_db()
    assert consultation.status == "closed"
    context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_390_px_phone_shows_cards_a_folding_menu_and_nothing_wider_than_the_screen(
    browser, live_server, people, language
):
    staff, coordinator, specialists = people
    text = TEXT[language]
    for number in range(3):
        make_request(staff, title=f"スマートフォンで見る長い件名の相談その{number}：窓口のデジタル化と申請書の見直し")
    routed = make_request(staff, title="振り分け済みの相談")
    services.consultation_route(consultation=routed, specialist=specialists[Domain.DESIGN], by=coordinator)
    services.consultation_reply(consultation=routed, author=specialists[Domain.DESIGN].user, body="質問です。" * 30)

    for user, urls in (
        (
            coordinator,
            [
                "/",
                "/consultations/",
                "/consultations/inbox/",
                routed.get_absolute_url(),
                f"/consultations/{routed.pk}/route/",
            ],
        ),
        (staff, ["/", "/consultations/", "/consultations/new/", routed.get_absolute_url()]),
        (
            specialists[Domain.DESIGN].user,
            ["/", "/consultations/?mine=on", routed.get_absolute_url(), "/specialists/me/edit/"],
        ),
    ):
        context = _context(browser, live_server, width=390)
        page = context.new_page()
        _sign_in(page, user, language)
        for url in urls:
            page.goto(url)
            assert _fits(page), f"{user.role} {url} is wider than 390 px"
            # The menu folds away behind its button and opens on a tap.
            nav = page.locator("#site-nav")
            assert not nav.is_visible()
            page.get_by_role("button", name=text["menu"]).click()
            assert nav.is_visible()
            assert _fits(page)
            page.keyboard.press("Escape")
            assert not nav.is_visible()
        context.close()

    # The queue is a pile of cards: every column's value is on screen, with its column's name.
    context = _context(browser, live_server, width=390)
    page = context.new_page()
    _sign_in(page, coordinator, language)
    page.goto("/consultations/")
    first_card = page.locator("table.data-table--stack tbody tr").first
    box = first_card.bounding_box()
    assert box["width"] <= 390
    cells = first_card.locator("td")
    for index in range(cells.count()):
        cell = cells.nth(index)
        cell_box = cell.bounding_box()
        assert cell_box["x"] >= 0 and cell_box["x"] + cell_box["width"] <= 390
    screenshot(page, f"queue-phone-{language}")
    # On a request, the conversation and the next action come before the details.
    page.goto(routed.get_absolute_url())
    thread_top = page.locator("#thread-heading").bounding_box()["y"]
    summary_top = page.locator("#summary-heading").bounding_box()["y"]
    assert thread_top < summary_top
    context.close()
