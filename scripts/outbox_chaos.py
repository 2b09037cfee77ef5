"""Outbox chaos check: every e-mail arrives exactly once while workers die, Redis restarts empty and the mail server
goes away. An operator's check, run by hand (not part of the test suite):

    .venv/bin/python scripts/outbox_chaos.py                  # 200 e-mails, about 3 to 5 minutes
    .venv/bin/python scripts/outbox_chaos.py --count 80 --keep-db
    .venv/bin/python scripts/outbox_chaos.py --sweep-every 0  # rely on the two beats alone (a sweep a minute)

What it sets up, all of it its own and thrown away at the end:

- a PostgreSQL database (dxshare_chaos, dropped first if an interrupted run left it; --keep-db keeps it), migrated;
- a redis-server on a free port, without persistence: killed and started again, it is empty;
- an SMTP server on a free port (aiosmtpd, in this process) that records each message's Message-ID and arrival;
- two `celery -A dxshare worker` processes (prefork, 2 children each) and two `celery -A dxshare beat` processes
  (the production schedule: notifications.sweep every 60 s), with the production settings on that database.

Then it schedules --count e-mails in four waves, half of them notifications written the way features write them
(services.notification_schedule in a transaction; handed to a worker after commit) and half reminders (overdue
follow-up actions planned with visits.reminders.plan_follow_up, turned into notifications by the sweep), and:

1. after the first e-mails have arrived, SIGKILLs the first worker and its children (what it was sending is claimed
   by a dead worker: the claim expires after claim_timeout(), 90 s with the default NOTIFICATION_SEND_TIME_LIMIT);
2. kills redis-server and schedules a wave while it is down (the features' transactions commit; the hand-overs are
   lost), starts it again, empty (every queued task is lost too), and restarts the killed worker;
3. stops the SMTP server for --smtp-outage seconds (20) and schedules a wave meanwhile (attempts fail and back off).

The settings cannot shorten beat's minute, so the script also sends notifications.sweep through the broker every
--sweep-every seconds (10), as a third beat would. Nothing else is shortened: rows whose hand-over was lost go out
when their lease (DISPATCH_LEASE, 2 min) has passed, rows of the killed worker when their claim has expired.

It waits up to --wait seconds (360) for every e-mail, watches --settle seconds more for late duplicates, and
prints: mails expected, received, duplicates (one Message-ID twice), missing, and the time until the last one
arrived. Exit status 1 if any is missing or duplicated, 2 if the check could not run. One duplicate can be the gap
the outbox documents (notifications.services): a worker killed after the mail server accepted a message and before
it recorded that; the report says when a duplicate's first copy arrived within a second before the SIGKILL.

Needs: PostgreSQL (--database-url, env CHAOS_DATABASE_URL; it creates and drops its database there), redis-server on
the PATH, and the virtualenv with the development requirements (celery, aiosmtpd). Logs: var/chaos/.
"""

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parent.parent
LOGS = REPO / "var" / "chaos"
HOST = "127.0.0.1"
DATABASE = "dxshare_chaos"
MESSAGE_ID = re.compile(r"<dxshare\.notification\.(\d+)@")


class ChaosError(Exception):
    """The check cannot run (a server did not start, a command failed); the message says what."""


STARTED = time.monotonic()


def say(message: str) -> None:
    """Progress on stdout, at once, with the seconds since the start."""
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Schedule e-mails while killing a worker, restarting Redis empty and stopping the mail server; "
        "check that each arrives exactly once.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--count", type=int, default=200, help="e-mails to schedule (four waves)")
    parser.add_argument("--wait", type=int, default=360, help="seconds to wait for every e-mail after the chaos")
    parser.add_argument("--settle", type=int, default=15, help="seconds to watch for duplicates once all arrived")
    parser.add_argument("--smtp-outage", type=int, default=20, help="seconds the SMTP server is stopped")
    parser.add_argument("--smtp-delay", type=float, default=0.1, help="seconds the SMTP server takes per message")
    parser.add_argument(
        "--sweep-every", type=float, default=10, help="seconds between extra sweeps sent by the script (0: none)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CHAOS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help=f"PostgreSQL server (env CHAOS_DATABASE_URL); the check creates and drops {DATABASE} on it",
    )
    parser.add_argument("--keep-db", action="store_true", help=f"keep {DATABASE} afterwards")
    args = parser.parse_args(argv)
    if args.count < 8:
        parser.error("--count must be at least 8 (four waves of notifications and reminders)")
    if min(args.wait, args.settle, args.smtp_outage) < 0 or args.smtp_delay < 0 or args.sweep_every < 0:
        parser.error("times must not be negative")
    return args


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def database_url(server_url: str, name: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def exit_on_sigterm() -> None:
    """SIGTERM (`kill <pid>`) becomes SystemExit, so that the clean-up runs as it does for Ctrl-C."""

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


# --- PostgreSQL -------------------------------------------------------------------------------------------------


def drop_database(server_url: str) -> None:
    with psycopg.connect(database_url(server_url, "postgres"), autocommit=True) as connection:
        statement = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(DATABASE))
        if connection.info.server_version >= 130000:
            statement = sql.SQL("{} WITH (FORCE)").format(statement)
        connection.execute(statement)


def create_database(server_url: str) -> None:
    drop_database(server_url)
    with psycopg.connect(database_url(server_url, "postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))


# --- The SMTP server --------------------------------------------------------------------------------------------


@dataclass
class Arrival:
    message_id: str
    recipient: str
    at: float  # time.monotonic()


class MailServer:
    """aiosmtpd on HOST:port, recording each accepted message. Each message waits `delay` seconds at RCPT (before
    DATA), so that a worker killed during the wait leaves no message behind."""

    def __init__(self, delay: float):
        self.port = free_port()
        self.delay = delay
        self._lock = threading.Lock()
        self.arrivals: list[Arrival] = []
        self._controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.delay:
            await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.original_content or envelope.content, policy=default)
        with self._lock:
            self.arrivals.append(Arrival(str(message["Message-ID"]), ",".join(envelope.rcpt_tos), time.monotonic()))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname=HOST, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def snapshot(self) -> list[Arrival]:
        with self._lock:
            return list(self.arrivals)


# --- Processes --------------------------------------------------------------------------------------------------


@dataclass
class Service:
    """A subprocess in its own session (process group): SIGKILL takes its children with it."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    starts: int = field(default=0)

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as log:
            log.write(f"\n--- start {self.starts} at {time.strftime('%H:%M:%S')} ---\n".encode())
            log.flush()
            self.process = subprocess.Popen(  # noqa: S603 - our own command lines
                self.command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group, as the machine's OOM killer or a lost container would."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (a warm shutdown), SIGKILL after `timeout`."""
        if not self.running():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        with contextlib.suppress(ProcessLookupError):  # prefork children still around
            os.killpg(self.process.pid, signal.SIGKILL)


def redis_service(port: int, directory: Path, env: dict[str, str]) -> Service:
    binary = shutil.which("redis-server")
    if binary is None:
        raise ChaosError("redis-server is not on the PATH")
    command = [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", str(directory)]
    return Service("redis", command, env, LOGS / "redis.log")


def wait_for_redis(service: Service, port: int) -> None:
    import redis

    client = redis.Redis(host=HOST, port=port, socket_connect_timeout=1)
    deadline = time.monotonic() + 15
    try:
        while time.monotonic() < deadline:
            if not service.running():
                raise ChaosError(f"redis-server exited; see {service.log}")
            with contextlib.suppress(redis.ConnectionError):
                if client.info("server")["process_id"] == service.process.pid:
                    return
            time.sleep(0.1)
    finally:
        client.close()
    raise ChaosError("redis-server did not answer within 15 s")


def queued_in_redis(port: int) -> int:
    import redis

    client = redis.Redis(host=HOST, port=port)
    try:
        return sum(client.llen(key) for key in client.scan_iter("celery*") if client.type(key) == b"list")
    finally:
        client.close()


def environment(args: argparse.Namespace, redis_port: int, smtp_port: int) -> dict[str, str]:
    """The production settings on the chaos database, broker and mail server (the same for every process)."""
    alphabet = string.ascii_letters + string.digits + "-_"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dxshare.settings",
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": database_url(args.database_url, DATABASE),
        "REDIS_URL": f"redis://{HOST}:{redis_port}/0",
        "EMAIL_URL": f"smtp://{HOST}:{smtp_port}",
        "EMAIL_TIMEOUT": "10",
        "DEBUG": "false",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }


def run_manage(env: dict[str, str], *arguments: str) -> None:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(REPO / "manage.py"), *arguments], cwd=REPO, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        raise ChaosError(f"manage.py {' '.join(arguments)} failed with exit code {result.returncode}")


def celery_service(name: str, arguments: list[str], env: dict[str, str]) -> Service:
    celery = Path(sys.executable).parent / "celery"
    if not celery.is_file():
        raise ChaosError(f"celery not found beside {sys.executable}")
    return Service(name, [str(celery), "-A", "dxshare", *arguments], env, LOGS / f"{name}.log")


def wait_for_workers(app, names: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            answered = {name for reply in app.control.ping(timeout=1.0) for name in reply}
            if all(name in answered for name in names):
                return
        time.sleep(0.5)
    raise ChaosError(f"workers {names} did not answer within {timeout:.0f} s; see {LOGS}")


# --- Scheduling, the way the features do it -----------------------------------------------------------------------


class Outbox:
    """What the check scheduled: the notifications' ids and the reminders' ids (their notifications come later)."""

    def __init__(self, count: int):
        from django.utils import timezone

        from accounts.enums import Role
        from accounts.models import User
        from municipalities.enums import Kind
        from municipalities.models import LocalGovernment, Programme
        from visits.enums import TripStatus
        from visits.models import Trip

        prefecture = LocalGovernment.objects.create(code="900001", kind=Kind.PREFECTURE, name="試験県")
        town = LocalGovernment.objects.create(code="900019", kind=Kind.TOWN, name="試験町", prefecture=prefecture)
        programme = Programme.objects.create(
            slug="chaos",
            name="障害試験推進会議",
            centre_name="障害試験センター",
            reference_prefix="CH",
            prefecture=prefecture,
        )
        self.people = [
            User.objects.create_user(
                email=f"chaos-{n}@example.jp", full_name=f"試験 {n}号", role=Role.COORDINATOR, programme=programme
            )
            for n in range(count)
        ]
        starts = timezone.now() - dt.timedelta(days=10)
        self.trip = Trip.objects.create(
            programme=programme,
            municipality=town,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            purpose="障害試験の訪問",
            status=TripStatus.DONE,
            created_by=self.people[0],
        )
        self.notification_ids: list[int] = []
        self.reminder_ids: list[int] = []
        self.next = 0

    def wave(self, size: int) -> None:
        """`size` e-mails: half notifications, half reminders, each for its own person, each in its own
        transaction (a feature's)."""
        from django.db import transaction
        from django.utils import timezone

        from notifications import services
        from notifications.models import Reminder
        from visits.models import FollowUp
        from visits.reminders import FOLLOW_UP_OVERDUE, plan_follow_up

        for _ in range(size):
            n, person = self.next, self.people[self.next]
            self.next += 1
            if n % 2 == 0:
                with transaction.atomic():
                    row = services.notification_schedule(
                        recipient=person,
                        kind="chaos.check",
                        subject=f"障害試験のお知らせ {n}",
                        body=f"{person.full_name}様\n\n障害試験の {n} 通目です。\n",
                    )
                self.notification_ids.append(row.pk)
            else:
                with transaction.atomic():
                    action = FollowUp.objects.create(
                        trip=self.trip,
                        description=f"障害試験の対応 {n}",
                        owner=person,
                        due_on=timezone.localdate() - dt.timedelta(days=2),
                    )
                    plan_follow_up(action)  # overdue: its reminder is due at once
                self.reminder_ids.append(
                    Reminder.objects.get(kind=FOLLOW_UP_OVERDUE, subject_id=action.pk, recipient=person).pk
                )

    def expected(self) -> tuple[set[int], int]:
        """The notification ids that must arrive, and how many reminders have no notification (yet)."""
        from notifications.models import Reminder

        ids = set(self.notification_ids)
        written = dict(Reminder.objects.filter(pk__in=self.reminder_ids).values_list("pk", "notification_id"))
        ids |= {pk for pk in written.values() if pk is not None}
        return ids, sum(1 for pk in self.reminder_ids if written.get(pk) is None)


class Sweeper(threading.Thread):
    """Sends notifications.sweep through the broker every `every` seconds, as another beat would."""

    def __init__(self, app, every: float):
        super().__init__(daemon=True)
        self.app, self.every = app, every
        self.stopped = threading.Event()
        self.sent = self.failed = 0

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                self.app.send_task("notifications.sweep", ignore_result=True)
                self.sent += 1
            except Exception:  # noqa: BLE001 - Redis is down: the next one tries again
                self.failed += 1


class Counting(logging.Handler):
    """Counts the hand-overs that failed after commit (Django logs them from on_commit(robust=True))."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record):
        if "on_commit" in record.getMessage():
            self.count += 1


def wait_until(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


# --- The check --------------------------------------------------------------------------------------------------


def received_ids(mail: MailServer) -> Counter:
    ids = Counter()
    for arrival in mail.snapshot():
        found = MESSAGE_ID.match(arrival.message_id)
        ids[int(found.group(1)) if found else arrival.message_id] += 1
    return ids


def chaos(args: argparse.Namespace, services: dict[str, Service], mail: MailServer, redis_port: int) -> int:
    from dxshare.celery import app
    from notifications.models import Notification, Reminder

    waves = [args.count // 4] * 3 + [args.count - 3 * (args.count // 4)]
    outbox = Outbox(args.count)
    worker_names = [f"chaos-worker-{n}@{socket.gethostname()}" for n in (1, 2)]
    wait_for_workers(app, worker_names)
    say(f"2 workers and 2 beats up; SMTP on {HOST}:{mail.port}, Redis on {HOST}:{redis_port}")
    sweeper = Sweeper(app, args.sweep_every) if args.sweep_every else None
    if sweeper:
        sweeper.start()
    hand_overs = Counting()
    logging.getLogger("django.db.backends.base").addHandler(hand_overs)
    logging.getLogger("django.db.backends.base").propagate = False  # a traceback per lost hand-over: counted instead

    started = time.monotonic()
    say(f"wave 1: {waves[0]} e-mails")
    outbox.wave(waves[0])
    app.send_task("notifications.sweep", ignore_result=True)  # the reminders' turn now rather than at the next sweep
    if not wait_until(lambda: len(mail.snapshot()) >= min(5, waves[0]), 60):
        raise ChaosError("no e-mail arrived within 60 s of the first wave; see the worker logs in var/chaos/")
    killed_at = time.monotonic()
    services["worker-1"].kill()
    say(f"SIGKILLed worker 1 and its children after {len(mail.snapshot())} e-mails had arrived")

    say(f"wave 2: {waves[1]} e-mails")
    outbox.wave(waves[1])
    app.send_task("notifications.sweep", ignore_result=True)
    time.sleep(2)

    services["redis"].kill()
    say("killed redis-server; wave 3 while it is down")
    outbox.wave(waves[2])
    say(f"  {hand_overs.count} hand-overs failed after their transactions committed")
    time.sleep(2)
    services["redis"].start()
    wait_for_redis(services["redis"], redis_port)
    say(f"redis-server started again with {queued_in_redis(redis_port)} queued tasks (was emptied)")
    services["worker-1"].start()
    wait_for_workers(app, worker_names)
    say("worker 1 restarted")

    mail.stop()
    say(f"SMTP server stopped for {args.smtp_outage} s; wave 4 meanwhile")
    outage_started = time.monotonic()
    outbox.wave(waves[3])
    app.send_task("notifications.sweep", ignore_result=True)
    time.sleep(max(0.0, args.smtp_outage - (time.monotonic() - outage_started)))
    mail.start()
    calm = time.monotonic()
    say(f"SMTP server back; waiting up to {args.wait} s for {args.count} e-mails")

    def all_arrived() -> bool:
        expected, unwritten = outbox.expected()
        return not unwritten and len(expected) == args.count and expected <= set(received_ids(mail))

    last_report = time.monotonic()

    def progress() -> bool:
        nonlocal last_report
        if time.monotonic() - last_report > 30:
            expected, _unwritten = outbox.expected()
            say(f"  {len(expected & set(received_ids(mail)))} of {args.count} arrived")
            last_report = time.monotonic()
        for name, service in services.items():
            if name != "redis" and not service.running():
                raise ChaosError(f"{name} exited on its own (code {service.process.returncode}); see {service.log}")
        return all_arrived()

    complete = wait_until(progress, args.wait, step=0.5)
    if complete:
        say(f"all arrived; watching {args.settle} s more for duplicates")
        time.sleep(args.settle)
    if sweeper:
        sweeper.stopped.set()

    # --- The report
    received = received_ids(mail)
    expected, unwritten = outbox.expected()
    arrivals = [(arrival, MESSAGE_ID.match(arrival.message_id)) for arrival in mail.snapshot()]
    times: dict[int, list[float]] = {}
    for arrival, found in arrivals:
        if found:
            times.setdefault(int(found.group(1)), []).append(arrival.at)
    duplicates = {pk: sorted(at) for pk, at in times.items() if len(at) > 1}
    missing = sorted(expected - set(times))
    strangers = sorted(str(key) for key in received if key not in expected)
    last = max((at for at_list in times.values() for at in at_list), default=started)
    print()
    print(f"mails expected:   {args.count}")
    print(f"mails received:   {sum(received.values())} ({len(received)} distinct)")
    print(f"duplicates:       {len(duplicates)}")
    print(f"missing:          {len(missing) + unwritten}")
    after_calm = f", {last - calm:.1f} s after the SMTP server came back" if last >= calm else ""
    print(f"last one arrived: {last - started:.1f} s after the first wave was scheduled{after_calm}")
    if sweeper:
        print(f"extra sweeps:     {sweeper.sent} sent, {sweeper.failed} refused while Redis was down")
    rows = list(Notification.objects.values_list("sent_at", "failed_at", "attempts"))
    states = Counter("sent" if sent else "failed" if failed else "waiting" for sent, failed, _attempts in rows)
    attempts = Counter(attempt for _sent, _failed, attempt in rows)
    print(f"outbox rows:      {len(rows)} {dict(states)}; rows by attempts: {dict(sorted(attempts.items()))}")
    print(f"reminders:        {dict(Counter(Reminder.objects.values_list('state', flat=True)))}")
    for pk, at in sorted(duplicates.items()):
        gap = " (first copy within 1 s before the SIGKILL: the documented gap)" if 0 <= killed_at - at[0] < 1 else ""
        print(f"  duplicate: notification {pk} arrived at " + ", ".join(f"{t - started:.1f} s" for t in at) + gap)
    for row in Notification.objects.filter(pk__in=missing).order_by("pk"):
        when = {name: getattr(row, name) for name in ("claimed_at", "next_attempt_at", "sent_at", "failed_at")}
        shown = ", ".join(f"{name} {value:%H:%M:%S}" for name, value in when.items() if value)
        print(f"  missing: notification {row.pk}: {row.attempts} attempt(s), {shown} {row.last_error}".rstrip())
    if unwritten:
        print(f"  missing: {unwritten} reminder(s) never became a notification")
    for key in strangers:
        print(f"  unexpected message: {key}")
    ok = complete and not duplicates and not missing and not unwritten
    print("\nOK: every e-mail arrived exactly once." if ok else "\nFAILED: see above.")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    LOGS.mkdir(parents=True, exist_ok=True)
    redis_port = free_port()
    mail = MailServer(args.smtp_delay)
    env = environment(args, redis_port, mail.port)
    services: dict[str, Service] = {}
    created = django_ready = False
    try:
        say(f"creating and migrating {DATABASE}")
        create_database(args.database_url)
        created = True
        run_manage(env, "migrate", "--noinput")
        services["redis"] = redis_service(redis_port, LOGS, env)
        services["redis"].start()
        wait_for_redis(services["redis"], redis_port)
        mail.start()
        for n in (1, 2):
            services[f"worker-{n}"] = celery_service(
                f"worker-{n}",
                ["worker", "--loglevel", "WARNING", "--concurrency", "2", "--hostname", f"chaos-worker-{n}@%h"],
                env,
            )
            services[f"beat-{n}"] = celery_service(
                f"beat-{n}",
                ["beat", "--loglevel", "WARNING", "--schedule", str(LOGS / f"beat-{n}-schedule"), "--pidfile", ""],
                env,
            )
        for name, service in services.items():
            if name != "redis":
                service.start()

        os.environ.update(env)  # this process schedules like a feature: same settings, database and broker
        sys.path.insert(0, str(REPO))
        import django

        django.setup()
        django_ready = True
        return chaos(args, services, mail, redis_port)
    except ChaosError as error:
        say(f"error: {error}")
        return 2
    finally:
        say("stopping workers, beats, Redis and the SMTP server")
        for name, service in services.items():
            if name != "redis":
                service.stop()
        if "redis" in services:
            services["redis"].stop(5)
        mail.stop()
        if django_ready:
            from django.db import connections

            connections.close_all()
        if created and not args.keep_db:
            drop_database(args.database_url)
        elif created:
            say(f"kept the database {DATABASE}")


if __name__ == "__main__":
    sys.exit(main())
