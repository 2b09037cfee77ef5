"""The outbox: a row is scheduled in the feature's transaction, sent after commit, and never sent twice."""

import datetime as dt
import smtplib

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from accounts.enums import EmailDelivery, Language
from dxshare.celery import app as celery_app
from notifications import services
from notifications.models import Notification
from notifications.tasks import release_stale_notifications, send_digests, send_notification
from tests import factories

pytestmark = pytest.mark.django_db

FAILING_BACKEND = "tests.notifications.test_services.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """An SMTP server that hangs up on every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def _schedule(recipient, **overrides):
    fields = {
        "recipient": recipient,
        "kind": "consultation.routed",
        "subject": "EH-2025-001 の担当になりました",
        "body": "EH-2025-001 が振り分けられました。\n\n詳しくはポータルをご覧ください。\n",
        "url": "http://127.0.0.1:8000/consultations/1/",
        **overrides,
    }
    return services.notification_schedule(**fields)


def _rows_in(message) -> list[str]:
    return [line for line in message.body.splitlines() if "http://" in line]


# --- immediate rows ----------------------------------------------------------------------------------------------


def test_an_immediate_row_is_sent_once_after_commit(municipal_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        notification = _schedule(municipal_user)
        assert mail.outbox == []  # nothing leaves before the feature's transaction commits
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [municipal_user.email]
    assert message.from_email == django_settings.DEFAULT_FROM_EMAIL
    assert message.subject == "EH-2025-001 の担当になりました"
    assert message.body.startswith("EH-2025-001 が振り分けられました。")
    assert message.body.splitlines()[-1] == "http://127.0.0.1:8000/consultations/1/"  # the link on its own line
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.claimed_at is not None
    assert (notification.attempts, notification.digest, notification.last_error) == (1, False, "")

    # Sending again, directly or through the task (a redelivered message), sends nothing.
    assert services.notification_send(notification_id=notification.pk) is False
    assert send_notification.delay(notification.pk).get() is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


def test_nothing_is_sent_when_the_features_transaction_rolls_back(municipal_user, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _schedule(municipal_user)
        raise RuntimeError("the feature failed")
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_link_already_in_the_body_is_not_repeated(municipal_user, django_capture_on_commit_callbacks):
    url = "http://127.0.0.1:8000/consultations/7/"
    with django_capture_on_commit_callbacks(execute=True):
        _schedule(municipal_user, body=f"返信がありました。\n開く: {url}\n", url=url)
        _schedule(municipal_user, body="リンクのないお知らせ", url="")
    with_link, without_link = mail.outbox
    assert with_link.body.count(url) == 1
    assert without_link.body == "リンクのないお知らせ\n"


def test_a_long_subject_is_kept_to_one_line_that_fits(municipal_user):
    notification = _schedule(municipal_user, subject="件名\n二行目 " + "長" * 300)
    assert notification.subject.startswith("件名 二行目 長")
    assert len(notification.subject) == 255


def test_a_unique_key_schedules_one_row(municipal_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _schedule(municipal_user, unique_key="consultation:1:routing:1:9")
        second = _schedule(municipal_user, unique_key="consultation:1:routing:1:9", subject="別の件名")
    assert second == first
    assert Notification.objects.count() == 1
    assert len(callbacks) == 1
    assert [m.subject for m in mail.outbox] == ["EH-2025-001 の担当になりました"]
    # Without a key there is no deduplication.
    with django_capture_on_commit_callbacks(execute=True):
        _schedule(municipal_user)
        _schedule(municipal_user)
    assert Notification.objects.count() == 3


def test_a_unique_key_already_sent_is_not_sent_again(municipal_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _schedule(municipal_user, unique_key="k")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _schedule(municipal_user, unique_key="k")
    assert callbacks == []
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("change", [{"is_active": False}, {"email": ""}])
def test_people_who_cannot_receive_e_mail_get_nothing(municipal_user, django_capture_on_commit_callbacks, change):
    for field, value in change.items():
        setattr(municipal_user, field, value)
    municipal_user.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert _schedule(municipal_user) is None
        assert _schedule(municipal_user, unique_key="k") is None
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_person_deactivated_before_sending_gets_nothing(municipal_user):
    notification = factories.NotificationFactory(recipient=municipal_user)
    municipal_user.is_active = False
    municipal_user.save()
    assert services.notification_send(notification_id=notification.pk) is False
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.sent_at is None and notification.claimed_at is None
    assert notification.last_error


# --- failures ----------------------------------------------------------------------------------------------------


def test_a_failing_smtp_server_leaves_the_row_unsent_and_claimable(municipal_user, settings):
    notification = factories.NotificationFactory(recipient=municipal_user)
    settings.EMAIL_BACKEND = FAILING_BACKEND
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert (notification.sent_at, notification.claimed_at, notification.attempts) == (None, None, 1)
    assert "SMTPServerDisconnected" in notification.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    assert services.notification_send(notification_id=notification.pk) is True
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.attempts == 2
    assert len(mail.outbox) == 1


@pytest.fixture
def eager_results():
    """Eager tasks report failures in their result instead of raising (retries then run at once, in-process)."""
    celery_app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        celery_app.conf.task_eager_propagates = True


def test_the_task_retries_a_failing_send_then_gives_up(municipal_user, settings, eager_results):
    notification = factories.NotificationFactory(recipient=municipal_user)
    settings.EMAIL_BACKEND = FAILING_BACKEND
    result = send_notification.delay(notification.pk)
    assert result.failed() and isinstance(result.result, smtplib.SMTPServerDisconnected)
    notification.refresh_from_db()
    assert notification.attempts == 1 + send_notification.max_retries
    assert notification.sent_at is None and notification.claimed_at is None
    assert "SMTPServerDisconnected" in notification.last_error


def test_a_broker_outage_after_commit_does_not_break_the_feature(
    municipal_user, django_capture_on_commit_callbacks, settings, caplog
):
    settings.EMAIL_BACKEND = FAILING_BACKEND  # stands in for any failure while handing the row over
    with django_capture_on_commit_callbacks(execute=True):
        notification = _schedule(municipal_user)
    assert Notification.objects.get(pk=notification.pk).sent_at is None  # still in the outbox, for the sweep
    assert any("on_commit" in record.getMessage() for record in caplog.records)


# --- digests -----------------------------------------------------------------------------------------------------


@pytest.fixture
def digest_readers(programme):
    ja = factories.UserFactory(
        programme=programme, email="ja@example.jp", language=Language.JA, email_delivery=EmailDelivery.DIGEST
    )
    en = factories.UserFactory(
        programme=programme, email="en@example.jp", language=Language.EN, email_delivery=EmailDelivery.DIGEST
    )
    return ja, en


def test_digest_rows_wait_for_the_digest(digest_readers, municipal_user, django_capture_on_commit_callbacks):
    ja, en = digest_readers
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for n in range(3):
            _schedule(ja, subject=f"件名 {n}", url=f"http://127.0.0.1:8000/consultations/{n}/")
        _schedule(en, subject="Routed to you", body="EH-2025-009 was routed to you.", url="")
        _schedule(municipal_user)  # immediate
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [[municipal_user.email]]
    assert Notification.objects.filter(digest=True).count() == 4
    assert set(Notification.objects.filter(digest=True, sent_at__isnull=True).values_list("recipient", flat=True)) == {
        ja.pk,
        en.pk,
    }


def test_the_digest_sends_one_e_mail_per_person_in_their_language(digest_readers, municipal_user):
    ja, en = digest_readers
    now = dt.datetime(2025, 4, 1, 23, 0, tzinfo=dt.UTC)  # 2 April, 08:00 in Tokyo
    before = now - dt.timedelta(hours=20)
    for n in range(3):
        factories.NotificationFactory(recipient=ja, subject=f"件名 {n}", created_at=before, body=f"本文 {n}\n二行目")
    factories.NotificationFactory(recipient=en, subject="Routed to you", created_at=before, url="")
    late = factories.NotificationFactory(recipient=ja, subject="あとから", created_at=now + dt.timedelta(seconds=1))
    factories.NotificationFactory(recipient=municipal_user, created_at=before)  # immediate: not part of any digest

    assert services.digests_send(now=now) == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == ["en@example.jp", "ja@example.jp"]

    ja_message = by_recipient["ja@example.jp"]
    assert "2025年4月2日" in ja_message.subject  # the date of the Tokyo morning, in Japanese
    assert ja_message.body.startswith(f"{ja.full_name} 様")
    for n in range(3):
        assert f"件名 {n}" in ja_message.body and f"本文 {n}\n二行目" in ja_message.body
    assert len(_rows_in(ja_message)) == 3 + 1  # three links and the settings page
    assert "/account/notifications/" in ja_message.body
    assert "あとから" not in ja_message.body

    en_message = by_recipient["en@example.jp"]
    assert en_message.subject == "[dxshare] Your digest of Wed 2 Apr 2025: 1 notification"
    assert en_message.body.startswith(f"Dear {en.full_name},")
    assert "Routed to you" in en_message.body and "年" not in en_message.body
    assert en_message.from_email == django_settings.DEFAULT_FROM_EMAIL

    assert not Notification.objects.filter(digest=True, created_at__lte=now, sent_at__isnull=True).exists()
    late.refresh_from_db()
    assert late.sent_at is None and late.claimed_at is None

    # A second run, or the task, finds nothing more to send.
    assert services.digests_send(now=now) == 0
    assert send_digests.delay().get() == 1  # only the row created after the first run's cut-off
    assert services.digests_send() == 0
    assert len(mail.outbox) == 3
    assert Notification.objects.filter(sent_at__isnull=True).count() == 1  # the immediate row, never dispatched


def test_the_digest_shows_only_the_first_lines_of_each_body(digest_readers):
    ja, _en = digest_readers
    factories.NotificationFactory(recipient=ja, body="一行目\n\n二行目\n三行目\n四行目\n五行目")
    assert services.digests_send() == 1
    body = mail.outbox[0].body
    assert "一行目\n二行目\n三行目" in body
    assert "四行目" not in body


def test_a_failing_digest_releases_its_rows_for_the_next_run(digest_readers, settings):
    ja, en = digest_readers
    rows = [factories.NotificationFactory(recipient=user) for user in (ja, ja, en)]
    settings.EMAIL_BACKEND = FAILING_BACKEND
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.digests_send()
    for row in rows:
        row.refresh_from_db()
        assert (row.sent_at, row.claimed_at, row.batch, row.attempts) == (None, None, None, 1)
        assert "SMTPServerDisconnected" in row.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.digests_send() == 2
    assert sorted(len(_rows_in(m)) for m in mail.outbox) == [1 + 1, 2 + 1]


def test_deactivated_people_get_no_digest(digest_readers):
    ja, _en = digest_readers
    factories.NotificationFactory(recipient=ja)
    ja.is_active = False
    ja.save()
    assert services.digests_send() == 0
    assert mail.outbox == []


# --- stale claims ------------------------------------------------------------------------------------------------


def test_stale_claims_are_released_and_immediate_rows_sent_again(municipal_user, digest_readers):
    ja, _en = digest_readers
    now = timezone.now()
    long_ago = now - dt.timedelta(minutes=31)
    stale = factories.NotificationFactory(recipient=municipal_user, claimed_at=long_ago, attempts=1, subject="stale")
    working = factories.NotificationFactory(recipient=municipal_user, claimed_at=now - dt.timedelta(minutes=5))
    stale_digest = factories.NotificationFactory(recipient=ja, claimed_at=long_ago, attempts=1)
    lost = factories.NotificationFactory(recipient=municipal_user, created_at=long_ago, subject="lost")
    gave_up = factories.NotificationFactory(
        recipient=municipal_user, created_at=long_ago, attempts=6, last_error="SMTPServerDisconnected: x"
    )
    sent = factories.NotificationFactory(recipient=municipal_user, claimed_at=long_ago, sent_at=long_ago, attempts=1)

    assert services.notifications_release_stale() == 2

    assert sorted(m.subject for m in mail.outbox) == ["lost", "stale"]  # handed to a worker again, and sent
    for row in (stale, working, stale_digest, lost, gave_up, sent):
        row.refresh_from_db()
    assert stale.sent_at is not None and stale.attempts == 2
    assert lost.sent_at is not None and lost.attempts == 1
    assert working.claimed_at is not None and working.sent_at is None  # a worker may still be sending it
    assert stale_digest.claimed_at is None and stale_digest.sent_at is None and stale_digest.last_error
    assert gave_up.sent_at is None and gave_up.attempts == 6  # left for an administrator
    assert sent.sent_at == long_ago

    assert release_stale_notifications.delay().get() == 0
    assert services.digests_send() == 1  # the released digest row goes out with the next digest
    assert len(mail.outbox) == 3
