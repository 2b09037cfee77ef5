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
from notifications import services
from notifications.models import Notification
from notifications.tasks import send_digest, send_digests, send_notification
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
    assert notification.failed_at is not None and notification.last_error  # not tried again


# --- failures ----------------------------------------------------------------------------------------------------


def test_a_failing_smtp_server_leaves_the_row_unsent_for_a_later_attempt(municipal_user, settings):
    notification = factories.NotificationFactory(recipient=municipal_user)
    settings.EMAIL_BACKEND = FAILING_BACKEND
    assert services.notification_send(notification_id=notification.pk) is False  # recorded, not raised
    notification.refresh_from_db()
    assert (notification.sent_at, notification.claimed_at, notification.attempts) == (None, None, 1)
    assert "SMTPServerDisconnected" in notification.last_error
    assert notification.next_attempt_at > timezone.now() + dt.timedelta(seconds=20)  # back-off, in PostgreSQL

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    assert services.notification_send(notification_id=notification.pk) is True
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.attempts == 2 and notification.last_error == ""
    assert len(mail.outbox) == 1


def test_the_tasks_have_time_limits_and_claims_outlive_them():
    assert send_notification.time_limit == django_settings.NOTIFICATION_SEND_TIME_LIMIT
    assert send_notification.soft_time_limit < send_notification.time_limit
    assert send_digest.time_limit == django_settings.NOTIFICATION_SEND_TIME_LIMIT
    assert services.claim_timeout() > dt.timedelta(seconds=send_notification.time_limit)
    assert services.claim_timeout() < dt.timedelta(minutes=5)
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_a_broker_outage_after_commit_does_not_break_the_feature(
    municipal_user, django_capture_on_commit_callbacks, settings, caplog
):
    settings.EMAIL_BACKEND = FAILING_BACKEND  # stands in for any failure while handing the row over
    with django_capture_on_commit_callbacks(execute=True):
        notification = _schedule(municipal_user)
    assert Notification.objects.get(pk=notification.pk).sent_at is None  # still in the outbox, for the sweep


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
    assert send_digest.delay(ja.pk).get() is False  # a redelivered task: nothing left
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


def test_a_failing_digest_is_tried_again_by_the_sweep(digest_readers, settings):
    ja, en = digest_readers
    rows = [factories.NotificationFactory(recipient=user) for user in (ja, ja, en)]
    settings.EMAIL_BACKEND = FAILING_BACKEND
    assert services.digests_send() == 2  # handed over, one task per person; both failed
    for row in rows:
        row.refresh_from_db()
        assert (row.sent_at, row.claimed_at, row.batch, row.attempts) == (None, None, None, 1)
        assert "SMTPServerDisconnected" in row.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.notifications_dispatch_due() == 0  # not due yet: back-off
    later = timezone.now() + dt.timedelta(minutes=1)
    assert services.notifications_dispatch_due(now=later) == 2  # that day's digest again, not tomorrow's
    assert sorted(len(_rows_in(m)) for m in mail.outbox) == [1 + 1, 2 + 1]


def test_deactivated_people_get_no_digest(digest_readers):
    ja, _en = digest_readers
    factories.NotificationFactory(recipient=ja)
    ja.is_active = False
    ja.save()
    assert services.digests_send() == 0
    assert mail.outbox == []


# --- the sweep: lost hand-overs and dead workers ------------------------------------------------------------------


def test_the_sweep_sends_what_a_dead_worker_held_and_what_the_broker_lost(municipal_user, digest_readers):
    ja, _en = digest_readers
    now = timezone.now()
    expired = now - services.claim_timeout() - dt.timedelta(seconds=1)
    dead = factories.NotificationFactory(recipient=municipal_user, claimed_at=expired, attempts=1, subject="dead")
    working = factories.NotificationFactory(recipient=municipal_user, claimed_at=now - dt.timedelta(seconds=20))
    dead_digest = factories.NotificationFactory(recipient=ja, claimed_at=expired, attempts=1, subject="digest")
    lost = factories.NotificationFactory(recipient=municipal_user, next_attempt_at=now, subject="lost")
    leased = factories.NotificationFactory(recipient=municipal_user, next_attempt_at=now + dt.timedelta(minutes=1))
    gave_up = factories.NotificationFactory(recipient=municipal_user, failed_at=now, attempts=8, last_error="x")
    sent = factories.NotificationFactory(recipient=municipal_user, claimed_at=expired, sent_at=expired, attempts=1)
    waiting_digest = factories.NotificationFactory(recipient=ja, subject="tomorrow")  # never tried: waits

    assert services.notifications_dispatch_due() == 3  # dead, lost, and dead_digest's person
    assert sorted(m.subject for m in mail.outbox if m.to == [municipal_user.email]) == ["dead", "lost"]
    for row in (dead, working, dead_digest, lost, leased, gave_up, sent, waiting_digest):
        row.refresh_from_db()
    assert dead.sent_at is not None and dead.attempts == 2
    assert lost.sent_at is not None and lost.attempts == 1
    assert working.sent_at is None and working.attempts == 0  # a live worker may still be sending it
    assert leased.sent_at is None  # handed over a moment ago: its task is still in the queue
    assert gave_up.sent_at is None and gave_up.attempts == 8  # left for a coordinator's retry
    assert sent.sent_at == expired
    # The dead digest run goes out again now, with the row that waited for the digest beside it.
    assert dead_digest.sent_at is not None and waiting_digest.sent_at is not None
    assert services.notifications_dispatch_due() == 0
