"""Reminders and e-mails in a real browser, in Japanese and English: a coordinator sets the programme's reminders
(a wrong hour first), filters the outbox for failed e-mails and retries one with the keyboard; municipal staff turn
one kind of e-mail off. The three pages pass axe-core and fit a 390 px phone."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.enums import Role
from municipalities.models import ReminderPolicy
from notifications.models import Notification, Preference
from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import _violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "ehime-kaigi-2026"
FAILED_SUBJECT = "相談が振り分けられました：窓口の申請書"

TEXT = {
    "ja": {
        "reminders": "リマインダー",
        "outbox": "送信履歴",
        "digest_hour": "週次まとめ：時刻",
        "too_late": "23 以下",
        "not_changed": "リマインダー設定は変更されていません。",
        "saved": "リマインダー設定を保存しました。",
        "save": "保存",
        "filter": "絞り込む",
        "state": "状態",
        "retry": "再送",
        "retried": "内子 花子さんへのメールを再送しています。",
        "kind": "相談の振り分け",
        "off": "送信しない",
        "optional": "任意",
        "preference_saved": "メール通知の設定を保存しました。",
    },
    "en": {
        "reminders": "Reminders",
        "outbox": "Outbox",
        "digest_hour": "Weekly digest: hour",
        "too_late": "less than or equal to 23",
        "not_changed": "The reminder settings were not changed.",
        "saved": "The reminder settings are saved.",
        "save": "Save",
        "filter": "Filter",
        "state": "State",
        "retry": "Retry",
        "retried": "The e-mail to 内子 花子 is being sent again.",
        "kind": "A request is routed",
        "off": "Off",
        "optional": "Optional",
        "preference_saved": "Your e-mail preference has been saved.",
    },
}


@pytest.fixture
def people(db):
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
    now = timezone.now()
    failed = factories.NotificationFactory(
        recipient=staff,
        kind="consultation.routed",
        subject=FAILED_SUBJECT,
        attempts=5,
        failed_at=now - dt.timedelta(hours=1),
        last_error="SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable",
    )
    sent = factories.NotificationFactory(
        recipient=staff, kind="consultation.reply", subject="回答が届きました", attempts=1, sent_at=now
    )
    return programme, staff, coordinator, failed, sent


def _page(browser, live_server, user, language, width=1366, **context_options):
    """A new browser signed in as `user`, whose account speaks `language` (the pages follow it after signing in)."""
    type(user).objects.filter(pk=user.pk).update(language=language)
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": width, "height": 900}, **context_options
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.problems = []  # script errors and refused content (a CSP violation is a console error), as in conftest's page
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    # Signed in by its session cookie: the journeys here open dozens of browsers a minute, more than allauth lets one
    # address sign in (30 a minute); signing in through the form is tested in test_accessibility and test_hand_offs.
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": _session_for(user), "url": live_server.url}])
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == language
    return page


def _session_for(user) -> str:
    client = Client()
    client.force_login(user, backend="accounts.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _pages(programme) -> list[str]:
    """The coordinator's view of the three pages; "submit:" is the reminder form with its error summary."""
    reminders = f"/programmes/{programme.slug}/reminders/"
    return [
        reminders,
        f"submit:{reminders}",
        "/account/notifications/outbox/",
        "/account/notifications/outbox/?state=failed",
        "/account/notifications/",
    ]


def _open(page, url):
    if url.startswith("submit:"):
        page.goto(url.removeprefix("submit:"))
        page.locator("#id_weekly_digest_hour").fill("24")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_selector("[data-error-summary]")
    else:
        page.goto(url)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_reminder_pages_pass_axe_and_fit_a_phone(browser, live_server, people, language):
    programme, staff, coordinator, _failed, _sent = people
    coordinator_urls = _pages(programme)
    staff_urls = ["/account/notifications/"]
    found = {}
    for user, urls in ((coordinator, coordinator_urls), (staff, staff_urls)):
        page = _page(browser, live_server, user, language, bypass_csp=True)
        for url in urls:
            _open(page, url)
            found[f"{user.role} {url}"] = _violations(page)
        page.context.close()
    problems = {name: v for name, v in found.items() if v}
    assert not problems, problems

    for user, urls in ((coordinator, coordinator_urls), (staff, staff_urls)):
        page = _page(browser, live_server, user, language, width=390)
        for url in urls:
            _open(page, url)
            assert _fits(page), f"{user.role} {url} is wider than 390 px"
        if user == coordinator:
            # On a phone each e-mail is a card; the state, the attempts and the error read as lines, one under another.
            page.goto("/account/notifications/outbox/?state=failed")
            state = page.locator("tbody tr").first.locator("td").nth(4)
            badge = state.locator(".badge").bounding_box()
            attempts, error = (state.locator(".muted").nth(index).bounding_box() for index in (0, 1))
            assert badge["x"] == attempts["x"] == error["x"], (badge, attempts, error)
            assert badge["y"] < attempts["y"] < error["y"]
            screenshot(page, f"outbox-390-{language}")
        page.context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_coordinator_sets_the_reminders_and_retries_a_failed_email(browser, live_server, people, language):
    programme, staff, coordinator, failed, sent = people
    text = TEXT[language]
    page = _page(browser, live_server, coordinator, language)
    page.goto(programme.get_absolute_url())
    page.locator("main").get_by_role("link", name=text["reminders"], exact=True).click()
    page.wait_for_url(f"**/programmes/{programme.slug}/reminders/")

    # An hour that does not exist: the summary says which field and what is allowed, and nothing is saved.
    hour = page.get_by_label(text["digest_hour"])
    hour.fill("24")
    page.locator("main").get_by_role("button", name=text["save"], exact=True).click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert text["digest_hour"] in summary.inner_text() and text["too_late"] in summary.inner_text()
    assert text["not_changed"] in page.locator(".messages").inner_text()
    assert hour.get_attribute("aria-invalid") == "true"
    assert not ReminderPolicy.objects.filter(programme=programme).exists()
    screenshot(page, f"reminders-error-{language}")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_weekly_digest_hour"

    # Valid values are saved, and the programme's page says so.
    page.get_by_label(text["digest_hour"]).fill("7")
    page.locator("#id_unrouted_hours").fill("16")
    page.locator("#id_weekly_digest_weekday").select_option("4")
    page.locator("main").get_by_role("button", name=text["save"], exact=True).click()
    # The fragment of the summary's link follows the redirect: compare the paths.
    page.wait_for_url(lambda url: urlsplit(url).path == programme.get_absolute_url())
    assert text["saved"] in page.locator(".messages").inner_text()
    policy = ReminderPolicy.objects.get(programme=programme)
    assert (policy.weekly_digest_hour, policy.unrouted_hours, policy.weekly_digest_weekday) == (7, 16, 4)
    assert policy.updated_by == coordinator

    # The outbox, filtered to what failed; "Retry" by keyboard.
    page.locator("main").get_by_role("link", name=text["outbox"], exact=True).click()
    page.wait_for_url("**/account/notifications/outbox/")
    assert page.get_by_text("回答が届きました").count() == 1
    page.get_by_label(text["state"], exact=True).select_option("failed")
    with page.expect_navigation():
        page.locator("main form[role=search]").get_by_role("button", name=text["filter"], exact=True).click()
    filtered = page.url
    assert "state=failed" in urlsplit(filtered).query
    assert page.get_by_text("回答が届きました").count() == 0
    row = page.locator("tbody tr").filter(has_text=FAILED_SUBJECT)
    assert "550 5.1.1" in row.inner_text()
    retry = row.get_by_role("button", name=f"{text['retry']} {FAILED_SUBJECT}")
    mail.outbox.clear()
    retry.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == filtered  # back to the same filtered list
    assert text["retried"] in page.locator(".messages").inner_text()
    screenshot(page, f"outbox-retried-{language}")
    failed.refresh_from_db()
    assert failed.failed_at is None and failed.sent_at is not None
    assert [message.to for message in mail.outbox] == [[staff.email]]
    sent.refresh_from_db()
    assert sent.attempts == 1
    assert not page.problems, page.problems
    page.context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_municipal_staff_turn_one_kind_of_email_off(browser, live_server, people, language):
    _programme, staff, _coordinator, _failed, _sent = people
    text = TEXT[language]
    page = _page(browser, live_server, staff, language)
    page.goto("/account/notifications/")
    # Its label (with the "optional" tag), exactly: other kinds' labels begin with the same words.
    kind = page.get_by_role("combobox", name=f"{text['kind']} {text['optional']}", exact=True)
    assert kind.input_value() == ""
    kind.select_option("off")
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name=text["save"], exact=True).click()
    assert text["preference_saved"] in page.locator(".messages").inner_text()
    assert kind.input_value() == "off"
    page.reload()
    assert kind.input_value() == "off"
    assert kind.locator("option:checked").inner_text() == text["off"]
    assert Preference.objects.filter(user=staff, kind="consultation.routed", delivery="off").exists()
    assert Notification.objects.filter(recipient=staff).count() == 2
    screenshot(page, f"preferences-off-{language}")
    assert not page.problems, page.problems
    page.context.close()
