"""The coordinators' outbox page: what was sent to whom and when, what failed and why, with a retry; the programme's
rows only; per-kind preferences on the person's own page."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from notifications import services
from notifications.models import Delivery, Notification, Preference
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/account/notifications/outbox/"
REFUSING = "tests.notifications.test_outbox.RefusingBackend"


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPConnectError(421, "Service not available")


def _client(login, user, language="en"):
    client = login(user)
    client.cookies["django_language"] = language
    return client


def _failed(recipient, subject="失敗したメール"):
    return factories.NotificationFactory(
        recipient=recipient, subject=subject, attempts=8, failed_at=timezone.now(), last_error="SMTPConnectError: 421"
    )


def test_a_refused_mail_is_retried_with_back_off_then_marked_failed(
    municipal_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        row = services.notification_schedule(recipient=municipal_user, kind="test", subject="件名", body="本文")
    row.refresh_from_db()
    assert row.attempts == 1 and row.failed_at is None and "421" in row.last_error
    assert row.next_attempt_at - timezone.now() > dt.timedelta(seconds=20)  # 30 s later, not at once
    for attempt in range(2, services.MAX_ATTEMPTS + 1):
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        assert services.notifications_dispatch_due() == 1
        row.refresh_from_db()
        assert row.attempts == attempt
    assert row.failed_at is not None
    assert services.notifications_dispatch_due(now=timezone.now() + dt.timedelta(days=1)) == 0  # given up


def test_the_outbox_shows_the_programmes_rows_with_errors_and_a_retry(login, coordinator, municipal_user, outsider):
    factories.NotificationFactory(recipient=municipal_user, subject="送信済み", sent_at=timezone.now())
    failed = _failed(municipal_user)
    factories.NotificationFactory(recipient=outsider, subject="他県の秘密")
    html = _client(login, coordinator).get(URL).content.decode()
    assert "送信済み" in html and "失敗したメール" in html and "SMTPConnectError: 421" in html
    assert "他県の秘密" not in html
    assert f'action="/account/notifications/outbox/{failed.pk}/retry/"' in html
    assert "Failed" in html and "8 attempts" in html


def test_filters_narrow_the_list(login, coordinator, municipal_user):
    factories.NotificationFactory(recipient=municipal_user, subject="送信済み", sent_at=timezone.now())
    _failed(municipal_user)
    html = _client(login, coordinator).get(URL, {"state": "failed"}).content.decode()
    assert "失敗したメール" in html and "送信済み" not in html
    html = _client(login, coordinator).get(URL, {"recipient": municipal_user.email.upper()}).content.decode()
    assert "失敗したメール" in html
    html = _client(login, coordinator).get(URL, {"state": "nonsense"}).content.decode()
    assert "Select a valid choice" in html  # a clear message, and the whole list


def test_retry_sends_a_failed_mail_again(login, coordinator, municipal_user, django_capture_on_commit_callbacks):
    failed = _failed(municipal_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(login, coordinator).post(f"{URL}{failed.pk}/retry/", {"next": URL})
    assert response.status_code == 302 and response.url == URL
    failed.refresh_from_db()
    assert failed.sent_at is not None and failed.failed_at is None
    assert [m.subject for m in mail.outbox] == ["失敗したメール"]


def test_retry_of_a_sent_mail_says_so_and_changes_nothing(login, coordinator, municipal_user):
    sent = factories.NotificationFactory(recipient=municipal_user, subject="送信済み", sent_at=timezone.now())
    client = _client(login, coordinator)
    response = client.post(f"{URL}{sent.pk}/retry/", follow=True)
    assert "This e-mail has been sent already." in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["municipal_user", "specialist_user", "prefecture_user"])
def test_only_the_centre_reads_the_outbox(login, who, request, municipal_user):
    failed = _failed(municipal_user)
    client = _client(login, request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}{failed.pk}/retry/").status_code == 403


def test_another_programmes_row_is_not_found(login, coordinator, outsider):
    theirs = _failed(outsider)
    assert _client(login, coordinator).post(f"{URL}{theirs.pk}/retry/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.failed_at is not None


def test_the_outbox_runs_a_fixed_number_of_queries(login, coordinator, municipal_user, django_assert_max_num_queries):
    client = _client(login, coordinator)
    for n in range(3):
        _failed(municipal_user, subject=f"a{n}")
    client.get(URL)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for n in range(60):
        _failed(factories.UserFactory(programme=coordinator.programme), subject=f"b{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "b59" in client.get(URL).content.decode()


# --- Per-kind preferences ------------------------------------------------------------------------------------------


def test_a_kind_turned_off_is_not_sent_and_one_that_may_not_be_stays_on(login, municipal_user):
    client = _client(login, municipal_user)
    html = client.get("/account/notifications/").content.decode()
    assert "Reminder: a visit tomorrow" in html
    assert "Reminder: a request waits to be routed" not in html  # a coordinator's kind
    response = client.post(
        "/account/notifications/",
        {"email_delivery": "immediate", "kind__visit__tomorrow": "off", "kind__event__tomorrow": "digest"},
    )
    assert response.status_code == 302
    assert dict(Preference.objects.filter(user=municipal_user).values_list("kind", "delivery")) == {
        "visit.tomorrow": Delivery.OFF,
        "event.tomorrow": Delivery.DIGEST,
    }
    assert (
        services.notification_schedule(recipient=municipal_user, kind="visit.tomorrow", subject="s", body="b") is None
    )
    # "A place on an event is yours" cannot be turned off: the form does not offer it, a forged post is refused.
    response = client.post(
        "/account/notifications/", {"email_delivery": "immediate", "kind__event__place_freed": "off"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Preference.objects.filter(kind="event.place_freed").exists()
