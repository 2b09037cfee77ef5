"""The preferences page: each person sees and changes only their own choice and notifications."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from accounts.enums import EmailDelivery
from notifications.services import notification_schedule
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/account/notifications/"


def _client(login, user, language="ja"):
    client = login(user)
    client.cookies["django_language"] = language
    return client


def _checked(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="email_delivery" value="(\w+)"[^>]*\bchecked\b', html)


def test_the_url():
    assert reverse("notifications:preferences") == URL


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_page_renders_in_both_languages(login, municipal_user, language):
    html = _client(login, municipal_user, language).get(URL).content.decode()
    assert f'<html lang="{language}">' in html
    assert ("メインコンテンツへ移動" if language == "ja" else "Skip to main content") in html
    assert html.count('type="radio" name="email_delivery"') == 2
    assert _checked(html) == ["immediate"]  # the default
    assert 'class="data-table"' not in html  # no table without notifications
    if language == "en":
        assert "E-mail notifications" in html and "8:00" in html and "No notifications yet." in html


def test_the_current_choice_is_checked(login, municipal_user):
    municipal_user.email_delivery = EmailDelivery.DIGEST
    municipal_user.save()
    assert _checked(_client(login, municipal_user).get(URL).content.decode()) == ["digest"]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_saving_the_choice(login, municipal_user, django_capture_on_commit_callbacks, language):
    client = _client(login, municipal_user, language)
    response = client.post(URL, {"email_delivery": EmailDelivery.DIGEST})
    assert response.status_code == 302 and response.url == URL
    municipal_user.refresh_from_db()
    assert municipal_user.email_delivery == EmailDelivery.DIGEST
    html = client.get(URL).content.decode()
    assert "message--success" in html
    if language == "en":
        assert "Your e-mail preference has been saved." in html

    # From now on, what happens waits for the digest.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = notification_schedule(recipient=municipal_user, kind="test", subject="s", body="b")
    assert row.digest and callbacks == []

    client.post(URL, {"email_delivery": EmailDelivery.IMMEDIATE})
    municipal_user.refresh_from_db()
    assert municipal_user.email_delivery == EmailDelivery.IMMEDIATE


@pytest.mark.parametrize("value", ["weekly", ""])
def test_a_bad_value_is_rejected_and_nothing_changes(login, municipal_user, value):
    client = _client(login, municipal_user, "en")
    response = client.post(URL, {"email_delivery": value})
    assert response.status_code == 200
    html = response.content.decode()
    assert "message--error" in html
    assert "Your e-mail preference was not changed." in html
    assert ("Select a valid choice." if value else "Choose how dxshare should e-mail you.") in html
    municipal_user.refresh_from_db()
    assert municipal_user.email_delivery == EmailDelivery.IMMEDIATE


def test_a_bad_value_is_rejected_in_japanese_too(login, municipal_user):
    html = _client(login, municipal_user, "ja").post(URL, {"email_delivery": "weekly"}).content.decode()
    assert "正しく選択してください。" in html  # Django's own message, in Japanese
    municipal_user.refresh_from_db()
    assert municipal_user.email_delivery == EmailDelivery.IMMEDIATE


def test_only_the_ten_latest_own_notifications_are_listed(login, municipal_user, other_municipal_user, outsider):
    base = dt.datetime(2025, 4, 1, 23, 30, tzinfo=dt.UTC)  # 2 April 08:30 in Tokyo
    for n in range(12):
        factories.NotificationFactory(
            recipient=municipal_user, subject=f"mine-{n:02d}", created_at=base + dt.timedelta(minutes=n)
        )
    factories.NotificationFactory(recipient=other_municipal_user, subject="colleague-secret", created_at=base)
    factories.NotificationFactory(recipient=outsider, subject="outsider-secret", created_at=base)

    html = _client(login, municipal_user, "en").get(URL).content.decode()
    assert 'class="data-table"' in html and 'class="table-wrap"' in html
    assert [f"mine-{n:02d}" in html for n in range(12)] == [False, False] + [True] * 10
    assert html.index("mine-11") < html.index("mine-02")  # newest first
    assert "Wed 2 Apr 2025, 08:41" in html  # local (Asia/Tokyo) time
    assert "colleague-secret" not in html and "outsider-secret" not in html

    for user in (other_municipal_user, outsider):
        other_html = _client(login, user, "en").get(URL).content.decode()
        assert "mine-" not in other_html


def test_each_state_is_shown(login, municipal_user):
    now = dt.datetime(2025, 4, 1, 0, 0, tzinfo=dt.UTC)
    factories.NotificationFactory(recipient=municipal_user, subject="was-sent", sent_at=now, claimed_at=now)
    factories.NotificationFactory(recipient=municipal_user, subject="waiting", digest=False)
    factories.NotificationFactory(recipient=municipal_user, subject="for-digest", digest=True)
    html = _client(login, municipal_user, "en").get(URL).content.decode()
    assert "Sent" in html and "Tue 1 Apr 2025, 09:00" in html
    assert "Pending" in html
    assert "In the next digest" in html


def test_saving_touches_only_the_signed_in_person(login, municipal_user, other_municipal_user):
    _client(login, municipal_user).post(URL, {"email_delivery": EmailDelivery.DIGEST, "pk": other_municipal_user.pk})
    other_municipal_user.refresh_from_db()
    municipal_user.refresh_from_db()
    assert other_municipal_user.email_delivery == EmailDelivery.IMMEDIATE
    assert municipal_user.email_delivery == EmailDelivery.DIGEST


@pytest.mark.parametrize("query", ["", "?sent=yes", "?sent=no", "?sent=failing", "?digest__exact=1", "?q=staff%40town"])
def test_the_admin_lists_and_filters_notifications(login, site_admin, municipal_user, query):
    factories.NotificationFactory(recipient=municipal_user, subject="admin-visible")
    factories.NotificationFactory(recipient=municipal_user, last_error="SMTPServerDisconnected: x")
    response = login(site_admin).get(reverse("admin:notifications_notification_changelist") + query)
    assert response.status_code == 200
    if query in ("", "?sent=no", "?q=staff%40town"):
        assert "admin-visible" in response.content.decode()
