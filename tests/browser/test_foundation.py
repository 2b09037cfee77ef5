"""The foundation in a real browser: sign in, keyboard access, language switch, nothing from the internet."""

import pytest

from accounts.enums import Role
from accounts.models import User
from tests import factories
from tests.browser.conftest import screenshot
from tests.factories import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator_login(db):
    programme = factories.ProgrammeFactory(name="愛媛県・市町DX推進会議", centre_name="チーム愛媛DX推進支援センター")
    factories.SpecialistFactory(user__programme=programme, user__full_name="高橋 美咲")
    factories.UserFactory(
        role=Role.COORDINATOR,
        programme=programme,
        email="coord@example.jp",
        full_name="中村 彩",
        password="ehime-kaigi-2026",
    )
    return "coord@example.jp", "ehime-kaigi-2026"


def test_sign_in_by_keyboard_then_switch_language(page, coordinator_login):
    email, password = coordinator_login
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/")
    assert page.locator("html").get_attribute("lang") == "ja"

    # The first Tab reaches the skip link, and it moves focus to the main landmark.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("document.activeElement.textContent.trim()") == "メインコンテンツへ移動"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Labels, not placeholders, name the inputs.
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_label("パスワード").press("Enter")
    # The coordinator's second step: the code from the authenticator app, typed and sent with the keyboard.
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert page.locator("#id_code").is_visible()
    page.locator("#id_code").fill(totp_code(User.objects.get(email=email)))
    page.locator("#id_code").press("Enter")
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text() == "ようこそ、中村 彩 様"
    assert page.get_by_role("navigation", name="メインメニュー").is_visible()
    assert page.locator("header").get_by_text("コーディネーター").is_visible()
    screenshot(page, "home-coordinator-ja")

    # Focus is visible: the focused link draws an outline.
    page.get_by_role("link", name="専門官").first.focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, 中村 彩"
    screenshot(page, "home-coordinator-en")

    page.get_by_role("link", name="Specialists").first.click()
    assert page.get_by_role("heading", name="高橋 美咲").is_visible()
    assert page.problems == [], page.problems


def test_wrong_password_shows_a_japanese_message_and_keeps_the_user_out(page, coordinator_login):
    email, _password = coordinator_login
    page.goto("/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill("wrong-password")
    page.get_by_role("button", name="ログイン").click()
    assert page.get_by_role("alert").is_visible()
    assert "正しくありません" in page.get_by_role("alert").inner_text()
    assert "/accounts/login/" in page.url
    assert page.problems == [], page.problems
