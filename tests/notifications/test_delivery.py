"""The outbox end to end on real servers: the Redis broker, Celery workers (threads in this process, consuming from
Redis), PostgreSQL and an SMTP server on loopback (aiosmtpd). Every e-mail that should leave arrives, once, even
with two workers and two sweeps at once, a broker restarted empty, or a mail server that refuses for a while.

The workers run in threads (celery.contrib.testing.worker.start_worker), so they share this process's Django
settings (the SMTP server's port) and open their own database connections: the tests commit for real
(django_db(transaction=True)). scripts/outbox_chaos.py is the same check with worker and beat processes, by hand.
"""

import asyncio
import contextlib
import datetime as dt
import email
import email.policy
import logging
import os
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass

import kombu.pools
import pytest
import redis
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from celery.worker import state as worker_state
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape
from kombu.utils.collections import eqhash

from dxshare.celery import app
from notifications import registry, services, tasks
from notifications.models import Notification, Reminder, ReminderState
from notifications.reminders import Planned, reminders_plan
from tests import factories
from tests.concurrency import run_together
from visits import services as visit_services

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OUTBOX = "/account/notifications/outbox/"
KIND = "test.delivery"
WAIT_SECONDS = 30  # generous deadlines: each wait normally ends within a second or two


# --- The servers --------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Received:
    raw: bytes
    rcpt_tos: tuple[str, ...]

    @property
    def message(self):
        return email.message_from_bytes(self.raw, policy=email.policy.default)


class MailServer:
    """An SMTP server on a loopback port that keeps every message it accepts. stop() closes the port (connections
    are refused); start() opens the same port again. `slow` holds messages to some addresses for a while before
    accepting them, so that a second send of the same row can overlap the first."""

    def __init__(self):
        self.port = _free_port()
        self.slow: dict[str, float] = {}
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        delay = max((self.slow.get(address, 0.0) for address in envelope.rcpt_tos), default=0.0)
        if delay:
            await asyncio.sleep(delay)
        with self._lock:
            self._received.append(Received(envelope.original_content or envelope.content, tuple(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def message_ids(self) -> Counter:
        return Counter(received.message["Message-ID"] for received in self.received)


class PrivateRedis:
    """A redis-server of the test's own on a free port, without persistence: killed and started again, it is empty."""

    def __init__(self, directory):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(  # noqa: S603 - redis-server with fixed arguments
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            assert self.process.poll() is None, "redis-server exited at start"
            with contextlib.suppress(redis.ConnectionError):
                # Ours, not another server that took the port in the meantime.
                if client.info("server")["process_id"] == self.process.pid:
                    break
            assert time.monotonic() < deadline, "redis-server did not answer within 10 s"
            time.sleep(0.05)
        client.close()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def queued(self) -> int:
        client = redis.Redis(port=self.port)
        try:
            return _queued(client)
        finally:
            client.close()


def _queued(client: redis.Redis) -> int:
    """Task messages waiting in the broker (the "celery" queue and its priority lists) or delivered and not acked."""
    waiting = sum(client.llen(key) for key in client.scan_iter("celery*") if client.type(key) == b"list")
    return waiting + client.hlen("unacked")


@contextlib.contextmanager
def _broker(url: str):
    """Publish to and consume from `url` for the duration. The app drops its connection and producer pools, so that
    the next ones are made for `url`; afterwards the pools of `url` are closed and forgotten (kombu keeps pools in a
    registry by address), and the app goes back to its broker's pools."""

    def switch(to: str) -> None:
        app.conf.broker_url = to
        app._pool = None
        app.amqp._producer_pool = None

    original = app.conf.broker_url
    switch(url)
    try:
        yield
    finally:
        key = eqhash(app.connection_for_write())
        for group in (kombu.pools.producers, kombu.pools.connections):
            pool = group.pop(key, None)
            if pool is not None:
                pool.force_close_all()
        switch(original)


@contextlib.contextmanager
def _workers(count: int):
    """`count` Celery workers, each a thread with a solo pool (one task at a time), consuming from the broker.

    Without the event loop: kombu keeps one event loop per process, which two workers in one process would share
    (and break); each worker here polls its own connection instead."""
    with contextlib.ExitStack() as stack:
        for n in range(count):
            stack.enter_context(
                start_worker(
                    app,
                    pool="solo",
                    use_eventloop=False,
                    perform_ping_check=False,
                    loglevel="WARNING",
                    shutdown_timeout=30,
                    hostname=f"delivery-{n}-{os.getpid()}@localhost",
                )
            )
        yield


def _workers_idle() -> bool:
    return not worker_state.active_requests and not worker_state.reserved_requests


def _wait(condition, what: str, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout} s waiting for {what}")
        time.sleep(0.05)


def _row_when(pk: int, condition, what: str) -> Notification:
    found = []

    def check():
        row = Notification.objects.get(pk=pk)
        if condition(row):
            found.append(row)
            return True
        return False

    _wait(check, what)
    return found[0]


def _backoff(attempts: int) -> dt.timedelta:
    """The documented back-off after the n-th failed attempt: 30 s, 1 min, 2 min … at most an hour."""
    return min(dt.timedelta(seconds=30 * 2 ** (attempts - 1)), dt.timedelta(hours=1))


def _message_id(pk: int) -> str:
    """The Message-ID a row's e-mail carries, the same at every attempt."""
    return f"<dxshare.notification.{pk}@{settings.ICALENDAR_UID_DOMAIN or 'dxshare.invalid'}>"


# --- Fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def real_broker():
    """Tasks go through Redis to the workers (the rest of the suite runs them in-process); the queue starts empty."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: `make test` and .ci/run point it at the machine's Redis")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks, connections from worker threads); `make test` runs on it")
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        yield client
    finally:
        client.close()
        app.control.purge()
        app.conf.task_always_eager = eager


@pytest.fixture
def smtp(settings):
    """A running SMTP server; Django sends to it over a real SMTP connection."""
    server = MailServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    session_log = logging.getLogger("mail.log")  # aiosmtpd's: a few lines per message
    level = session_log.level
    session_log.setLevel(logging.WARNING)
    try:
        yield server
    finally:
        server.stop()
        session_log.setLevel(level)


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def _compose(reminders):
    return {
        r.pk: registry.Message(
            subject=f"【確認】{r.recipient.full_name}様へのお知らせ",
            body=f"{r.recipient.full_name}様\n\n明日の予定をご確認ください。\n",
        )
        for r in reminders
    }


@pytest.fixture
def test_kind(monkeypatch):
    monkeypatch.setitem(registry._KINDS, KIND, registry.Kind(KIND, "Delivery test", "Tests", compose=_compose))
    return KIND


def _drained(broker: redis.Redis, expected: int, smtp: MailServer):
    """Everything sent, nothing left in the broker, no worker busy: no further e-mail can come."""

    def check():
        return (
            len(smtp.received) >= expected
            and not Notification.objects.filter(sent_at__isnull=True, failed_at__isnull=True).exists()
            and _queued(broker) == 0
            and _workers_idle()
        )

    return check


# --- 1. A reminder, from PostgreSQL through Redis and a worker to the mail server ------------------------------------


def test_a_due_visit_reminder_arrives_once_in_japanese(smtp, coordinator, programme, municipality, specialist):
    starts = timezone.localtime(timezone.now() + dt.timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    trip, _hints = visit_services.trip_plan(
        by=coordinator,
        programme=programme,
        municipality=municipality,
        specialists=[specialist],
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        purpose="窓口DXの打合せ",
    )
    reminder = Reminder.objects.get(kind="visit.tomorrow")
    assert reminder.recipient == specialist.user and reminder.state == ReminderState.PENDING

    with _workers(1):
        assert services.outbox_sweep(now=reminder.due_at - dt.timedelta(minutes=1)) == {
            "reminders": 0,
            "handed_over": 0,
        }  # not due yet
        assert services.outbox_sweep(now=reminder.due_at) == {"reminders": 1, "handed_over": 1}
        _wait(lambda: len(smtp.received) >= 1, "the reminder at the SMTP server")
        notification = _row_when(
            Reminder.objects.get(pk=reminder.pk).notification_id, lambda r: r.sent_at, "sent_at recorded"
        )
        # Swept again, later: nothing goes out a second time.
        assert services.outbox_sweep(now=reminder.due_at + dt.timedelta(hours=1)) == {
            "reminders": 0,
            "handed_over": 0,
        }

    assert len(smtp.received) == 1
    received = smtp.received[0]
    assert received.rcpt_tos == (specialist.user.email,)
    head, _blank, _body = received.raw.partition(b"\r\n\r\n")
    head.decode("ascii")  # every header 7-bit: the Japanese is RFC 2047 encoded
    message = received.message
    day = starts.date()
    weekday = "月火水木金土日"[day.weekday()]
    expected_subject = f"[dxshare] 明日の訪問：{municipality.name}"
    expected_body = "\n".join(
        [
            "明日の訪問のお知らせです。",
            "",
            f"市町: {municipality.name}",
            f"日時: {day.year}年{day.month}月{day.day}日（{weekday}） 10:00–12:00",
            "目的: 窓口DXの打合せ",
            "専門官: 専門 太郎",
            "",
            f"詳細： {settings.SITE_URL}/visits/{trip.pk}/",
            "",
        ]
    )
    assert list(message["Subject"]) == list(expected_subject)
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    assert list(message.get_content().replace("\r\n", "\n")) == list(expected_body)
    (to,) = message["To"].addresses
    assert (to.display_name, to.addr_spec) == ("専門 太郎", specialist.user.email)
    assert message["Message-ID"] == _message_id(notification.pk)
    assert (notification.attempts, notification.last_error, notification.kind) == (1, "", "visit.tomorrow")
    assert Reminder.objects.get(pk=reminder.pk).state == ReminderState.SENT


# --- 2. Two workers, two sweeps at once, and every row handed over twice ---------------------------------------------


def test_two_workers_and_double_sweeps_send_each_reminder_once(real_broker, smtp, programme, test_kind):
    people = factories.UserFactory.create_batch(50, programme=programme)
    # One mailbox's server takes its time: while one worker is still sending that row, the other worker gets the
    # row's second hand-over and must leave it alone (the claim).
    smtp.slow[people[0].email] = 2.5
    due = timezone.now() - dt.timedelta(minutes=1)
    reminders_plan(programme, [Planned(test_kind, person, "tomorrow", due) for person in people], kinds=[test_kind])

    with _workers(2):
        now = timezone.now()
        sweeps = run_together(lambda: services.outbox_sweep(now=now), lambda: services.outbox_sweep(now=now))
        assert all(isinstance(result, dict) for result in sweeps), sweeps
        assert sum(result["reminders"] for result in sweeps) == 50  # SKIP LOCKED: each reminder taken by one sweep
        assert sum(result["handed_over"] for result in sweeps) == 50  # the lease: each row handed over once
        # Past the lease (and past the claims' timeout, as the sweep sees it): the rows still unsent go to the
        # workers a second time, twice at once, while the workers are sending them.
        later = now + services.DISPATCH_LEASE + dt.timedelta(seconds=1)
        again = run_together(
            lambda: services.notifications_dispatch_due(now=later),
            lambda: services.notifications_dispatch_due(now=later),
        )
        assert all(isinstance(result, int) for result in again), again
        assert sum(again) >= 1, "the workers had sent everything already: nothing was handed over twice"
        assert Notification.objects.filter(recipient=people[0], sent_at__isnull=True).exists()  # still sending
        _wait(_drained(real_broker, 50, smtp), "50 e-mails and an empty broker")

    ids = smtp.message_ids()
    rows = list(Notification.objects.select_related("recipient"))
    assert len(rows) == 50
    assert ids == Counter({_message_id(row.pk): 1 for row in rows})  # each exactly once, none more
    assert sorted(to for received in smtp.received for to in received.rcpt_tos) == sorted(p.email for p in people)
    assert all(row.sent_at is not None for row in rows)
    assert {row.attempts for row in rows} == {1}  # a duplicate task never won a claim
    by_recipient = {received.rcpt_tos[0]: received.message for received in smtp.received}
    for row in rows:
        assert by_recipient[row.recipient.email]["Subject"] == f"【確認】{row.recipient.full_name}様へのお知らせ"
    assert set(Reminder.objects.values_list("state", flat=True)) == {ReminderState.SENT}


# --- 3. The broker killed and restarted empty -------------------------------------------------------------------------


def test_a_broker_restarted_empty_loses_nothing_and_sends_nothing_twice(
    smtp, programme, private_redis, monkeypatch, caplog
):
    # A short lease, so that the sweep hands over lost rows after a second instead of two minutes.
    monkeypatch.setattr(services, "DISPATCH_LEASE", dt.timedelta(seconds=1))
    people = factories.UserFactory.create_batch(10, programme=programme)

    def schedule(person, n):
        with transaction.atomic():  # the feature's transaction
            return services.notification_schedule(
                recipient=person, kind="test.broker", subject=f"お知らせ {n}", body=f"{n} 件目のお知らせです。\n"
            ).pk

    with _broker(private_redis.url):
        before = [schedule(person, n) for n, person in enumerate(people[:5])]
        assert private_redis.queued() == 5  # handed over after commit; no worker runs yet

        private_redis.kill()
        with caplog.at_level(logging.ERROR, logger="django.db.backends.base"):
            during = [schedule(person, n) for n, person in enumerate(people[5:], start=5)]
        # The transactions committed although the hand-over failed (on_commit robust=True).
        assert Notification.objects.filter(pk__in=during, sent_at__isnull=True).count() == 5
        assert sum("in on_commit()" in record.getMessage() for record in caplog.records) == 5

        private_redis.start()
        assert private_redis.queued() == 0  # restarted empty: the first five hand-overs are lost
        assert smtp.received == []

        with _workers(1):
            deadline = time.monotonic() + WAIT_SECONDS
            while len(smtp.received) < 10 or Notification.objects.filter(sent_at__isnull=True).exists():
                assert time.monotonic() < deadline, f"only {len(smtp.received)} of 10 e-mails arrived"
                tasks.sweep.delay()  # what beat does every minute, through the restarted broker
                time.sleep(0.5)
            _wait(lambda: private_redis.queued() == 0 and _workers_idle(), "the sweeps and sends to finish")

    assert smtp.message_ids() == Counter({_message_id(pk): 1 for pk in before + during})
    assert sorted(to for received in smtp.received for to in received.rcpt_tos) == sorted(p.email for p in people)
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}
    assert app.conf.broker_url == os.environ["REDIS_URL"]  # the app publishes to the suite's broker again


# --- 4. The mail server refuses: back-off, given up, shown to the centre, retried by hand -----------------------------


def test_a_refusing_mail_server_backs_off_gives_up_and_a_coordinator_retries(smtp, municipal_user, coordinator, login):
    client = login(coordinator)
    client.cookies["django_language"] = "en"
    smtp.stop()  # connection refused

    with _workers(1):
        started = timezone.now()
        with transaction.atomic():
            pk = services.notification_schedule(
                recipient=municipal_user, kind="test.refused", subject="届かないお知らせ", body="本文です。\n"
            ).pk
        row = _row_when(pk, lambda r: r.attempts == 1 and r.claimed_at is None, "the first attempt")
        assert row.sent_at is None and row.failed_at is None
        assert "Connection refused" in row.last_error
        assert started + _backoff(1) <= row.next_attempt_at  # 30 s later, not at once
        assert row.next_attempt_at <= timezone.now() + _backoff(1)

        for attempt in range(2, services.MAX_ATTEMPTS + 1):
            # Not before its back-off has passed; at that moment, the sweep hands it to a worker again.
            assert services.outbox_sweep(now=row.next_attempt_at - dt.timedelta(seconds=1))["handed_over"] == 0
            started = timezone.now()
            assert services.outbox_sweep(now=row.next_attempt_at)["handed_over"] == 1
            row = _row_when(pk, lambda r, a=attempt: r.attempts == a and r.claimed_at is None, f"attempt {attempt}")
            assert row.sent_at is None and "Connection refused" in row.last_error
            if attempt < services.MAX_ATTEMPTS:
                assert row.failed_at is None
                assert started + _backoff(attempt) <= row.next_attempt_at
                assert row.next_attempt_at <= timezone.now() + _backoff(attempt)

        assert row.failed_at is not None and row.attempts == services.MAX_ATTEMPTS
        assert services.outbox_sweep(now=timezone.now() + dt.timedelta(days=1))["handed_over"] == 0  # given up

        html = client.get(OUTBOX, {"state": "failed"}).content.decode()
        assert "届かないお知らせ" in html and escape(row.last_error) in html
        assert f"{services.MAX_ATTEMPTS} attempts" in html
        assert f'action="{OUTBOX}{pk}/retry/"' in html
        assert smtp.received == []

        smtp.start()  # the mail server is back, on the same port
        response = client.post(f"{OUTBOX}{pk}/retry/", {"next": OUTBOX})
        assert response.status_code == 302
        row = _row_when(pk, lambda r: r.sent_at is not None, "the retried e-mail to be sent")
        _wait(lambda: len(smtp.received) >= 1 and _workers_idle(), "the retried e-mail at the SMTP server")
        assert services.outbox_sweep(now=timezone.now() + dt.timedelta(days=1))["handed_over"] == 0

    assert (row.attempts, row.failed_at, row.last_error) == (1, None, "")
    assert smtp.message_ids() == Counter({_message_id(pk): 1})
    assert smtp.received[0].rcpt_tos == (municipal_user.email,)
    assert smtp.received[0].message["Subject"] == "届かないお知らせ"
