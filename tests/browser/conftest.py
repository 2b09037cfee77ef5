"""Headless Chromium (Debian's, installed by `make test`) driven by Playwright."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (Debian's chromium and fonts-noto-cjk)")
    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls are in other threads.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    page.on(
        "request",
        lambda req: (
            req.url.startswith(live_server.url)
            or req.url.startswith("data:")
            or page.problems.append(f"external request: {req.url}")
        ),
    )
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(autouse=True)
def _fresh_sign_in_limits():
    """Each journey signs in from 127.0.0.1 through the real login form; allauth counts sign-ins per address and
    minute in the cache (30/m), and the whole browser suite signs in more often than that. Start each test with
    no counts, as a browser on its own would."""
    from django.core.cache import cache

    cache.clear()
    yield


def second_step(page, email: str) -> None:
    """After the password, someone with a second factor is asked for a code: type the one the test users' app shows
    (tests.factories.TOTP_SECRET). Nothing to do for someone without one."""
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" not in page.url:
        return
    from accounts.models import User
    from tests.factories import totp_code

    user = User.objects.get(email__iexact=email)
    page.locator("#id_code").fill(totp_code(user))
    page.locator("#id_code").press("Enter")
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)
