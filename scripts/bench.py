"""Page benchmark: the consultation pages at two data sizes, served by gunicorn and loaded with wrk, in one run.

    .venv/bin/python scripts/bench.py                                                # 2,000 then 200,000 requests
    .venv/bin/python scripts/bench.py --skip-large --small 500 --others 20 --duration 2  # a quick check

It creates a throw-away PostgreSQL database (dxshare_bench), migrates it, fills it with `manage.py fill_national`
(47 programmes; programme nat-38 gets --small requests, then is topped up to --large), and for each size starts
gunicorn with the production settings plus one reference page (scripts/benchsite), then measures every page of PAGES:
SQL queries (in-process test client), the median time of one client alone, and requests/s and latencies under wrk.
The figures are printed and written as a Markdown table to --output. The database is dropped at the end.

Needs: PostgreSQL, Redis (the production settings' cache and broker), wrk (apt install wrk) and gunicorn (in the
virtualenv). Each size takes about (number of pages + 1) x (duration + 5) seconds, plus the fill.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"
WRK_SCRIPT = SCRIPTS / "wrk_report.lua"
BENCH_DATABASE = "dxshare_bench"
HOST = "127.0.0.1"

# --- What is measured -------------------------------------------------------------------------------------------
# The users of programme nat-38 (Ehime) that `manage.py fill_national` creates; all log in with their e-mail.
PROGRAMME_SLUG = "nat-38"
COORDINATOR = "coordinator@nat-38.bench.example"
PREFECTURE = "prefecture@nat-38.bench.example"
DATA_SPECIALIST = "data@nat-38.bench.example"
MATSUYAMA_STAFF = "staff-382019@nat-38.bench.example"  # staff-<local government code>@nat-XX.bench.example


@dataclass(frozen=True)
class Page:
    """One page to measure: a row of the table.

    `path` may name values that are looked up in the database at each size, e.g. "/consultations/{answered_pk}/";
    resolve_path_values() computes them (add a value there when a new page needs one).
    """

    name: str
    user: str
    path: str


# The reference: same middleware, session and user loading as every page, and nothing else (scripts/benchsite).
# It is measured first and last in each size; "share of bare" divides by the mean of the two runs.
BARE = Page("bare view", COORDINATOR, "/bench/bare/")

PAGES = [
    Page("home", COORDINATOR, "/"),
    Page("inbox", COORDINATOR, "/consultations/inbox/"),
    Page("queue (coordinator)", COORDINATOR, "/consultations/"),
    Page(
        "queue filtered + search",
        COORDINATOR,
        "/consultations/?" + urlencode({"status": "in_progress", "domain": "data", "q": "データ"}),
    ),
    Page("queue, deep page", COORDINATOR, "/consultations/?cursor={deep_cursor}"),
    Page("queue, last page", COORDINATOR, "/consultations/?cursor={last_cursor}"),
    Page("queue (specialist, mine)", DATA_SPECIALIST, "/consultations/?mine=true"),
    Page("queue (prefecture)", PREFECTURE, "/consultations/"),
    Page("municipality's list", MATSUYAMA_STAFF, "/consultations/"),
    Page("detail", COORDINATOR, "/consultations/{answered_pk}/"),
    Page("detail, long thread", COORDINATOR, "/consultations/{busiest_pk}/"),
    Page("route", COORDINATOR, "/consultations/{submitted_pk}/route/"),
]

QUEUE_ORDER = ("-submitted_at", "-id")  # the queue's default sort (consultations.filters.ORDERINGS["newest"])
ONE_CLIENT_WARMUP = 5
ONE_CLIENT_SAMPLES = 60
WRK_WARMUP_SECONDS = 2
GUNICORN_START_SECONDS = 30


class BenchError(Exception):
    """Something the benchmark cannot work around; the message says what."""


# --- Results ----------------------------------------------------------------------------------------------------


@dataclass
class Measurement:
    """The figures of one page at one size. `failure` set: the page could not be measured (the reason)."""

    queries: int | None = None
    one_client_ms: float | None = None
    requests_per_sec: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    requests: int = 0
    errors: dict = field(default_factory=dict)  # wrk: non_2xx, status (4xx/5xx), connect, read, write, timeout
    failure: str = ""
    reference_rps: float | None = None  # the bare view's rate measured right before and after this page (mean)
    reference_one_client_ms: float | None = None  # the bare view's 1-client time right before and after (mean)

    @property
    def error_count(self) -> int:
        """Answers that were not 2xx plus socket errors and timeouts (status errors are a subset of non-2xx)."""
        return sum(count for kind, count in self.errors.items() if kind != "status")


@dataclass
class Phase:
    """Everything measured at one size. The bare view runs before the first page and after every page, so that each
    page is compared with the bare rate of the same minutes (a shared machine's speed drifts during a run)."""

    label: str
    size: int
    bare_runs: list[Measurement]
    pages: dict[str, Measurement]
    url_problems: list[str]

    @property
    def bare(self) -> Measurement:
        """The bare view's row: the median of its runs (queries and times of the first)."""
        measured = [run for run in self.bare_runs if not run.failure]
        if not measured:
            return self.bare_runs[0]
        first = measured[0]
        return Measurement(
            queries=first.queries,
            one_client_ms=statistics.median(run.one_client_ms for run in measured),
            requests_per_sec=statistics.median(run.requests_per_sec for run in measured),
            p50_ms=statistics.median(run.p50_ms for run in measured),
            p95_ms=statistics.median(run.p95_ms for run in measured),
            requests=sum(run.requests for run in measured),
            reference_rps=statistics.median(run.requests_per_sec for run in measured),
        )

    def bare_range(self) -> str:
        rates = [run.requests_per_sec for run in self.bare_runs if not run.failure]
        return f"{len(rates)} runs, {min(rates):.1f}–{max(rates):.1f} req/s" if rates else "not measured"


# --- Command line and environment -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The options; see --help."""
    parser = argparse.ArgumentParser(
        description="Benchmark the consultation pages at two data sizes (gunicorn + wrk) and write a Markdown table.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--small", type=int, default=2000, help="requests in programme nat-38, first size")
    parser.add_argument("--large", type=int, default=200_000, help="requests in programme nat-38, second size")
    parser.add_argument("--others", type=int, default=300, help="requests in each of the other 46 programmes")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page (after a 2 s warm-up)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--timeout", type=int, default=10, help="wrk: seconds before a request counts as timed out")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8765, help=f"gunicorn listens on {HOST}:PORT")
    parser.add_argument(
        "--output",
        default="var/bench/consultations.md",
        help="Markdown report; a relative path is taken from the repository root",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help=f"PostgreSQL server (env BENCH_DATABASE_URL); the benchmark creates and drops {BENCH_DATABASE} on it",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3", help="Redis for cache and broker")
    parser.add_argument("--skip-large", action="store_true", help="measure the small size only (a quick check)")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {BENCH_DATABASE} database afterwards")
    args = parser.parse_args(argv)
    if min(args.small, args.others, args.duration, args.connections, args.threads, args.workers, args.timeout) < 1:
        parser.error("sizes, duration, connections, threads, workers and timeout must be positive")
    if not args.skip_large and args.large < args.small:
        parser.error("--large must be at least --small (the fill tops the same programme up)")
    if args.connections < args.threads:
        parser.error("wrk needs at least one connection per thread (--connections >= --threads)")
    return args


def database_url(server_url: str, name: str) -> str:
    """The server's URL with another database name (user, host, port and options kept)."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def random_secret_key(length: int = 50) -> str:
    """A SECRET_KEY that the production settings accept (the same one for gunicorn and this process)."""
    alphabet = string.ascii_letters + string.digits + "-_"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def bench_environment(args: argparse.Namespace) -> dict[str, str]:
    """Variables for every subprocess and for this process's Django: production settings on the bench database."""
    return {
        "DJANGO_SETTINGS_MODULE": "benchsite.settings",
        "PYTHONPATH": f"{SCRIPTS}{os.pathsep}{REPO}",
        "DATABASE_URL": database_url(args.database_url, BENCH_DATABASE),
        "REDIS_URL": args.redis_url,
        "DEBUG": "false",
        "SECRET_KEY": random_secret_key(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": str(REPO / "var" / "bench" / "static"),
    }


def repo_path(value: str) -> Path:
    """A path from the command line: absolute as given, relative from the repository root."""
    path = Path(value)
    return path if path.is_absolute() else REPO / path


def exit_on_sigterm() -> None:
    """Turn SIGTERM (`kill <pid>`) into SystemExit, so that the clean-up in main() runs as it does for Ctrl-C."""

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def say(message: str) -> None:
    """Progress on stdout, at once (the run is long)."""
    print(message, flush=True)


# --- Database ---------------------------------------------------------------------------------------------------


def admin_connection(args: argparse.Namespace) -> psycopg.Connection:
    """An autocommit connection to the server's `postgres` database, for CREATE and DROP DATABASE."""
    return psycopg.connect(database_url(args.database_url, "postgres"), autocommit=True)


def drop_database(args: argparse.Namespace) -> None:
    """Drop the bench database if it exists (forcing out connections left behind, on PostgreSQL 13 and later)."""
    with admin_connection(args) as connection:
        statement = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(BENCH_DATABASE))
        if connection.info.server_version >= 130000:
            statement = sql.SQL("{} WITH (FORCE)").format(statement)
        connection.execute(statement)


def create_database(args: argparse.Namespace) -> None:
    """A fresh, empty bench database (an old one from an interrupted run is dropped first)."""
    drop_database(args)
    with admin_connection(args) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DATABASE)))


def server_version(args: argparse.Namespace) -> str:
    """SHOW server_version, for the report's header."""
    with admin_connection(args) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def vacuum_analyze(env: dict[str, str]) -> None:
    """Fresh statistics and visibility maps after a fill, so that both sizes are planned and read alike."""
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


# --- Subprocesses: manage.py, gunicorn, wrk ---------------------------------------------------------------------


def run_manage(env: dict[str, str], *arguments: str, quiet: bool = False) -> None:
    """Run `manage.py <arguments>` with the bench environment; quiet: show the output only if it fails."""
    command = [sys.executable, str(REPO / "manage.py"), *arguments]
    started = time.perf_counter()
    if quiet:
        result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            print(result.stdout + result.stderr, file=sys.stderr)
    else:
        result = subprocess.run(command, cwd=REPO, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BenchError(f"manage.py {shlex.join(arguments)} failed with exit code {result.returncode}")
    say(f"  manage.py {shlex.join(arguments)}: {time.perf_counter() - started:.0f} s")


def port_is_open(port: int) -> bool:
    """Whether something accepts TCP connections on HOST:port."""
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def start_gunicorn(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen:
    """Start gunicorn with fresh workers and wait until it answers /healthz (at most GUNICORN_START_SECONDS)."""
    if port_is_open(args.port):
        raise BenchError(f"Something already listens on {HOST}:{args.port}; stop it or pass another --port.")
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.is_file():
        raise BenchError(f"gunicorn not found beside {sys.executable} (pip install gunicorn in the virtualenv)")
    log = REPO / "var" / "bench" / "gunicorn.log"
    command = [
        str(gunicorn),
        "dxshare.wsgi:application",  # dxshare/wsgi.py only setdefaults DJANGO_SETTINGS_MODULE: benchsite wins
        "--workers",
        str(args.workers),
        "--bind",
        f"{HOST}:{args.port}",
        "--worker-class",
        "sync",
        "--access-logfile",
        "/dev/null",
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=REPO, env=env)  # noqa: S603 - our own command line
    deadline = time.monotonic() + GUNICORN_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with code {process.returncode}; see {log}")
        try:
            status, body = http_get(args.port, "/healthz", cookie="", timeout=5)
        except OSError:
            time.sleep(0.2)
            continue
        if status != 200:
            say(f"  warning: /healthz answered {status}: {body[:200]!r}")
        say(f"  gunicorn is up (pid {process.pid}, {args.workers} sync workers, {HOST}:{args.port})")
        return process
    stop_gunicorn(process)
    raise BenchError(f"gunicorn did not answer within {GUNICORN_START_SECONDS} s; see {log}")


def stop_gunicorn(process: subprocess.Popen | None) -> None:
    """SIGTERM (graceful) and wait; SIGKILL if it does not stop within 30 s."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def http_get(port: int, path: str, *, cookie: str, timeout: float = 60) -> tuple[int, bytes]:
    """One GET on a new connection: (status, body)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def one_client_median_ms(port: int, path: str, cookie: str) -> float:
    """Median of ONE_CLIENT_SAMPLES sequential GETs after ONE_CLIENT_WARMUP, over one HTTPConnection.

    The connection is kept alive where the server allows it (gunicorn's sync workers close it after each answer;
    http.client then reconnects by itself, and the reconnection is part of the time, as it is for wrk).
    """
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    timings = []
    try:
        for number in range(ONE_CLIENT_WARMUP + ONE_CLIENT_SAMPLES):
            started = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise BenchError(f"gunicorn answered {response.status} (expected 200)")
            if number >= ONE_CLIENT_WARMUP:
                timings.append(elapsed)
    finally:
        connection.close()
    return statistics.median(timings) * 1000


def run_wrk(args: argparse.Namespace, path: str, cookie: str, seconds: int) -> dict:
    """Load the page with wrk for `seconds`; the figures printed by scripts/wrk_report.lua (one JSON line)."""
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        f"--timeout={args.timeout}s",
        "--latency",
        "-s",
        str(WRK_SCRIPT),
        "-H",
        f"Cookie: {cookie}",
        f"http://{HOST}:{args.port}{path}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 120)  # noqa: S603
    if result.returncode != 0:
        raise BenchError(f"wrk failed (exit code {result.returncode}): {result.stderr.strip() or result.stdout}")
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise BenchError(f"wrk printed no JSON line (is {WRK_SCRIPT} intact?): {result.stdout}")


# --- Django, in this process ------------------------------------------------------------------------------------


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process with the bench environment (settings read it on import)."""
    os.environ.update(env)
    for folder in (REPO, SCRIPTS):  # as PYTHONPATH=scripts:repo for the subprocesses
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    import django

    django.setup()


def check_fill_command() -> None:
    """Fail before building anything if `manage.py fill_national` is missing."""
    from django.core.management import get_commands

    if "fill_national" not in get_commands():
        raise BenchError("manage.py fill_national is missing (demo/management/commands/fill_national.py).")


def fill(env: dict[str, str], requests: int, others: int) -> None:
    """Fill (or top up) programme nat-38 to `requests` requests; the other programmes get `others` the first time."""
    run_manage(
        env, "fill_national", "--requests", str(requests), "--others", str(others), "--allow-production", quiet=False
    )


def resolve_path_values() -> tuple[dict[str, str], list[str]]:
    """The ids and cursors that page paths name, looked up at the current size: (values, problems).

    A value that cannot be found (e.g. no submitted request) is left out and explained in problems; the pages that
    need it are reported as not measured.
    """
    from django.db.models import Count

    from consultations.models import Consultation
    from dxshare.paging import KeysetPaginator
    from municipalities.models import Programme

    programme = Programme.objects.get(slug=PROGRAMME_SLUG)
    requests = Consultation.objects.filter(programme=programme)
    queue = requests.exclude(status="draft").order_by(*QUEUE_ORDER)
    values, problems = {}, []

    count = queue.count()
    if count:
        middle = queue[count // 2]  # an OFFSET: fine in a benchmark, not in a page
        paginator = KeysetPaginator(queue, QUEUE_ORDER)
        values["deep_cursor"] = quote(paginator._cursor("after", middle), safe="")
        values["last_cursor"] = quote(paginator._cursor("last"), safe="")
    else:
        problems.append("the queue is empty (no deep or last page)")

    newest_first = ("-submitted_at", "-id")
    answered = requests.filter(status="answered").order_by(*newest_first)
    detail = answered.annotate(n=Count("messages")).filter(n__gte=3).first() or answered.first()
    if detail:
        values["answered_pk"] = str(detail.pk)
    else:
        problems.append("no answered request (detail)")

    busiest = requests.exclude(status="draft").annotate(n=Count("messages")).order_by("-n", "-id").first()
    if busiest:
        values["busiest_pk"] = str(busiest.pk)
    else:
        problems.append("no submitted request at all (detail, long thread)")

    submitted = requests.filter(status="submitted").order_by(*newest_first).first()
    if submitted:
        values["submitted_pk"] = str(submitted.pk)
    else:
        problems.append("no request with status submitted (route)")
    return values, problems


def page_path(page: Page, values: dict[str, str]) -> str:
    """The page's path with the looked-up values filled in."""
    try:
        return page.path.format(**values)
    except KeyError as missing:
        raise BenchError(f"no value for {missing} at this size") from missing


def logged_in_clients(emails: set[str]) -> tuple[dict, dict[str, str]]:
    """A logged-in test client per user and the matching Cookie header for gunicorn: (clients, cookies).

    Sessions live in the database, so gunicorn accepts the session the test client created. A missing user has no
    entry; its pages are reported as not measured.
    """
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    clients, cookies = {}, {}
    for email in sorted(emails):
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        client = Client(raise_request_exception=False)  # a page's exception becomes its 500, reported in the row
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        clients[email] = client
        cookies[email] = f"{name}={client.cookies[name].value}"
    return clients, cookies


def count_queries(client, path: str) -> int:
    """SQL queries of one in-process GET, after one uncounted GET (so only the steady state is counted)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise BenchError(f"in-process GET answered {response.status_code} (expected 200)")
    return len(captured.captured_queries)


# --- Measuring --------------------------------------------------------------------------------------------------


def measure_page(args: argparse.Namespace, path: str, client, cookie: str) -> Measurement:
    """All figures of one page: queries, 1-client median, then wrk (warm-up, measured run)."""
    measurement = Measurement()
    measurement.queries = count_queries(client, path)
    measurement.one_client_ms = one_client_median_ms(args.port, path, cookie)
    run_wrk(args, path, cookie, WRK_WARMUP_SECONDS)
    figures = run_wrk(args, path, cookie, args.duration)
    measurement.requests_per_sec = figures["requests_per_sec"]
    measurement.p50_ms = figures["p50_ms"]
    measurement.p95_ms = figures["p95_ms"]
    measurement.requests = figures["requests"]
    measurement.errors = {kind: count for kind, count in figures["errors"].items() if count}
    return measurement


def measure_or_explain(args, page: Page, values: dict[str, str], clients: dict, cookies: dict) -> Measurement:
    """measure_page(), or a Measurement whose `failure` says why the page could not be measured."""
    try:
        path = page_path(page, values)
        if page.user not in clients:
            raise BenchError(f"user {page.user} does not exist")
        measurement = measure_page(args, path, clients[page.user], cookies[page.user])
    except BenchError as error:
        say(f"  {page.name:<28} NOT MEASURED: {error}")
        return Measurement(failure=str(error))
    line = (
        f"  {page.name:<28} {measurement.queries:>3} queries  1-client {measurement.one_client_ms:7.1f} ms  "
        f"{measurement.requests_per_sec:8.1f} req/s  p50 {measurement.p50_ms:7.1f} ms  p95 {measurement.p95_ms:7.1f} ms"
    )
    if measurement.error_count:
        line += f"  ERRORS: {measurement.errors}"
    say(line)
    return measurement


def measure_phase(args: argparse.Namespace, label: str, size: int) -> Phase:
    """Measure the bare view, every page, and the bare view again, against the running gunicorn."""
    values, problems = resolve_path_values()
    for problem in problems:
        say(f"  warning: {problem}")
    clients, cookies = logged_in_clients({BARE.user, *(page.user for page in PAGES)})
    bare_runs = [measure_or_explain(args, BARE, values, clients, cookies)]
    pages = {}
    for page in PAGES:
        measurement = measure_or_explain(args, page, values, clients, cookies)
        bare_runs.append(measure_or_explain(args, BARE, values, clients, cookies))
        around = [run for run in bare_runs[-2:] if not run.failure]
        if around:
            measurement.reference_rps = statistics.mean(run.requests_per_sec for run in around)
            measurement.reference_one_client_ms = statistics.mean(run.one_client_ms for run in around)
        pages[page.name] = measurement
    return Phase(label, size, bare_runs, pages, problems)


def run_phase(args: argparse.Namespace, env: dict[str, str], label: str, size: int) -> Phase:
    """Fill to `size`, refresh statistics, start gunicorn, measure, stop gunicorn."""
    say(f"\n== {label}: {size:,} requests in {PROGRAMME_SLUG} ==")
    fill(env, size, args.others)
    started = time.perf_counter()
    vacuum_analyze(env)
    say(f"  VACUUM ANALYZE: {time.perf_counter() - started:.0f} s")
    gunicorn = start_gunicorn(args, env)
    try:
        return measure_phase(args, label, size)
    finally:
        stop_gunicorn(gunicorn)
        say("  gunicorn stopped")


# --- Report -----------------------------------------------------------------------------------------------------


def number(value: float | None, digits: int = 1) -> str:
    """A figure for the table; an em dash when there is none."""
    return "—" if value is None else f"{value:,.{digits}f}"


def share(value: float | None, reference: float | None) -> str:
    """value / reference as a percentage."""
    if value is None or not reference:
        return "—"
    return f"{100 * value / reference:.0f}%"


def cells(measurement: Measurement, phase: Phase) -> list[str]:
    """The six cells of one page at one size."""
    if measurement.failure:
        return ["—", "—", "NOT MEASURED", "—", "—", "—"]
    rate = number(measurement.requests_per_sec)
    if measurement.error_count:
        rate = f"**ERRORS: {measurement.error_count:,} of {measurement.requests:,}** ({rate})"
    return [
        str(measurement.queries),
        number(measurement.one_client_ms),
        rate,
        share(measurement.requests_per_sec, measurement.reference_rps),
        number(measurement.p50_ms),
        number(measurement.p95_ms),
    ]


def ratio(phases: list[Phase], name: str) -> str:
    """Large 1-client time / small 1-client time for the row `name`."""
    small, large = (phase_rows(phase)[name].one_client_ms for phase in phases)
    if small is None or large is None:
        return "—"
    return f"{large / small:.2f}"


def normalised_ratio(phases: list[Phase], name: str) -> str:
    """The same ratio with each 1-client time divided by the bare view's measured around it: what is left when the
    machine's own change of speed between the two sizes is taken out."""
    small, large = (phase_rows(phase)[name] for phase in phases)
    times = (small.one_client_ms, small.reference_one_client_ms, large.one_client_ms, large.reference_one_client_ms)
    if None in times:
        return "—"
    small_page, small_bare, large_page, large_bare = times
    return f"{(large_page / large_bare) / (small_page / small_bare):.2f}"


def phase_rows(phase: Phase) -> dict[str, Measurement]:
    """The table's rows for one size, in order: bare (the median of its runs), then the pages."""
    return {f"{BARE.name} (median of its runs)": phase.bare, **phase.pages}


def table(phases: list[Phase]) -> list[str]:
    """The Markdown table: a row per page, six columns per size, and the 1-client ratio with two sizes."""
    columns = ["queries", "1-client ms", "req/s", "share of bare", "p50 ms", "p95 ms"]
    header = ["page"] + [f"{phase.label} {column}" for phase in phases for column in columns]
    if len(phases) == 2:
        header += [f"1-client {phases[1].label}/{phases[0].label}", "same, ÷ bare"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    for name in phase_rows(phases[0]):
        row = [name]
        for phase in phases:
            row += cells(phase_rows(phase)[name], phase)
        if len(phases) == 2:
            row += [ratio(phases, name), normalised_ratio(phases, name)]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def notes(phases: list[Phase]) -> list[str]:
    """What went wrong, page by page: not measured, errors under load, values that could not be looked up."""
    lines = []
    for phase in phases:
        lines += [f"- {phase.label}: {problem}" for problem in phase.url_problems]
        for name, measurement in phase_rows(phase).items():
            if measurement.failure:
                lines.append(f"- {phase.label}, {name}: not measured: {measurement.failure}")
            elif measurement.error_count:
                lines.append(f"- {phase.label}, {name}: wrk errors {measurement.errors}")
    return lines


def report(args: argparse.Namespace, phases: list[Phase], started: dt.datetime, postgres: str) -> str:
    """The whole Markdown report: header, table, notes, legend."""
    sizes = ", ".join(f"{phase.label} = {phase.size:,}" for phase in phases)
    bare = "; ".join(f"{phase.label}: {phase.bare_range()}" for phase in phases)
    lines = [
        "# Consultation pages: benchmark",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M %Z}",
        f"- Machine: {len(os.sched_getaffinity(0))} CPUs (nproc), {platform.machine()}; PostgreSQL {postgres}",
        f"- Command: `{shlex.join([sys.executable, *sys.argv])}`",
        f"- Load: gunicorn {args.workers} sync workers; wrk {args.threads} threads, {args.connections} connections, "
        f"{args.duration} s per page after a {WRK_WARMUP_SECONDS} s warm-up (timeout {args.timeout} s); "
        f"1-client: median of {ONE_CLIENT_SAMPLES} sequential GETs after {ONE_CLIENT_WARMUP} warm-ups",
        f"- Sizes (requests in programme {PROGRAMME_SLUG}): {sizes}; {args.others:,} in each of the other 46 "
        "programmes",
        f"- Bare view: {bare}",
        "",
        *table(phases),
        "",
    ]
    problems = notes(phases)
    if problems:
        lines += ["Problems:", "", *problems, ""]
    lines += [
        "Legend:",
        "",
        "- **share of bare**: the page's requests/s under load divided by the bare view's measured right before and "
        "right after it (the mean of those two runs: a shared machine's speed drifts over a run). The bare view "
        "(`/bench/bare/`, scripts/benchsite) is `login_required` returning `ok`: the same middleware, session and "
        "user loading as every page and nothing else, so 100% is the most a page can reach on this machine and the "
        "rest is the page's own work (queries, template).",
        "- **queries**: SQL queries of one GET in process (Django test client, after one uncounted GET), session and "
        "user included.",
        "- **same, ÷ bare**: the 1-client ratio with each time divided by the bare view's 1-client time measured "
        "around it, which takes out the machine's own change of speed between the two sizes.",
        "- **1-client ms**: one client alone, no concurrency. **req/s, p50, p95**: under wrk; latencies include the "
        "wait for a free worker.",
        "- **ERRORS**: non-2xx answers, socket errors or timeouts under wrk (see Problems).",
        "",
    ]
    return "\n".join(lines)


# --- Main -------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Build, fill, measure each size, report; always stop gunicorn and drop the database (unless --keep-db)."""
    args = parse_args(argv)
    exit_on_sigterm()
    started = dt.datetime.now().astimezone()
    env = {**os.environ, **bench_environment(args)}
    sizes = [("small", args.small)] if args.skip_large else [("small", args.small), ("large", args.large)]
    (REPO / "var" / "bench").mkdir(parents=True, exist_ok=True)
    setup_django(env)
    created = False
    try:
        check_fill_command()
        postgres = server_version(args)
        say(f"== Database {BENCH_DATABASE} on PostgreSQL {postgres} ==")
        create_database(args)
        created = True
        run_manage(env, "migrate", "--noinput", quiet=True)
        run_manage(env, "collectstatic", "--noinput", quiet=True)
        phases = [run_phase(args, env, label, size) for label, size in sizes]
        text = report(args, phases, started, postgres)
        output = repo_path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        say("\n" + text)
        say(f"Written to {output}")
    except (BenchError, psycopg.Error) as error:
        print(f"\nbench.py: {error}", file=sys.stderr)
        return 1
    finally:
        from django.db import connections

        connections.close_all()
        if created and not args.keep_db:
            drop_database(args)
            say(f"Dropped database {BENCH_DATABASE}.")
        elif created:
            say(f"Kept database {BENCH_DATABASE} ({env['DATABASE_URL']}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
