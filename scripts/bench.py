"""Page benchmark: the consultation pages at two data sizes side by side, served by gunicorn and loaded with wrk.

    .venv/bin/python scripts/bench.py                          # 2,000 and 200,000 requests (about 20 minutes)
    .venv/bin/python scripts/bench.py --skip-large --duration 3 # the small size only: a quick check

It builds two throw-away PostgreSQL databases (dxshare_bench_small and dxshare_bench_large), fills them with
`manage.py fill_national` (47 programmes; programme nat-38, Ehime, gets --small or --large requests with their
threads, routings and history), runs VACUUM ANALYZE, and starts one gunicorn per size with the production settings
plus a reference page (scripts/benchsite). Then, page by page, it measures both sizes in the same minutes:

- one client alone: GETs alternating between the two servers (the median of each), so both sizes see the machine
  in the same state; each answer reports its SQL queries (X-Queries, benchmark middleware);
- under load (wrk): for each size the bare view, then the page; a page's "share of bare" divides its rate by the
  bare view's measured just before it on the same server.

A shared machine's speed drifts by a factor of two within minutes, which is why nothing is compared across minutes.
The figures are printed and written as a Markdown table to --output. The databases are dropped at the end.

Needs: PostgreSQL, Redis (the production settings' cache and broker), wrk (apt install wrk; `make bench` installs it)
and gunicorn (in the virtualenv).
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
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"
WRK_SCRIPT = SCRIPTS / "wrk_report.lua"
HOST = "127.0.0.1"

# --- What is measured -------------------------------------------------------------------------------------------
# The users of programme nat-38 (Ehime) that `manage.py fill_national` creates (scripts/benchsite/lookup.py signs
# them in); staff-<local government code>@nat-XX.bench.example is a municipality's member of staff.
COORDINATOR = "coordinator@nat-38.bench.example"
PREFECTURE = "prefecture@nat-38.bench.example"
DATA_SPECIALIST = "data@nat-38.bench.example"
MATSUYAMA_STAFF = "staff-382019@nat-38.bench.example"


@dataclass(frozen=True)
class Page:
    """One page to measure: a row of the table. `path` may name values that scripts/benchsite/lookup.py finds in
    each database, e.g. "/consultations/{answered_pk}/" (add a value there when a new page needs one)."""

    name: str
    user: str
    path: str


# The reference: same middleware, session and user loading as every page, and nothing else (scripts/benchsite).
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
    Page("queue, search a common word", COORDINATOR, "/consultations/?" + urlencode({"q": "職員"})),
    Page("queue, deep page", COORDINATOR, "/consultations/?cursor={deep_cursor}"),
    Page("queue, last page", COORDINATOR, "/consultations/?cursor={last_cursor}"),
    Page("queue (specialist, mine)", DATA_SPECIALIST, "/consultations/?mine=true"),
    Page("queue (prefecture)", PREFECTURE, "/consultations/"),
    Page("municipality's list", MATSUYAMA_STAFF, "/consultations/"),
    Page("detail", COORDINATOR, "/consultations/{answered_pk}/"),
    Page("detail, long thread", COORDINATOR, "/consultations/{busiest_pk}/"),
    Page("route", COORDINATOR, "/consultations/{submitted_pk}/route/"),
    Page("calendar, month", COORDINATOR, "/calendar/?date={calendar_day}"),
    Page("calendar, week", COORDINATOR, "/calendar/?view=week&date={calendar_day}"),
    Page("calendar, list", COORDINATOR, "/calendar/?view=list&date={calendar_day}"),
    Page("calendar, one municipality", MATSUYAMA_STAFF, "/calendar/?view=list&date={calendar_day}"),
    Page("visit", COORDINATOR, "/visits/{busy_trip_pk}/"),
    Page("events", COORDINATOR, "/events/"),
    Page("event", COORDINATOR, "/events/{event_pk}/"),
    Page("feed, busiest municipality's year", COORDINATOR, "/calendar/feeds/{feed_token}.ics"),
    Page("dashboard (figures)", COORDINATOR, "/programmes/nat-38/dashboard/?year={report_year}"),
    Page("figures, one municipality", COORDINATOR, "/figures/municipalities/{report_municipality}/?year={report_year}"),
    Page("figures, one specialist", COORDINATOR, "/figures/specialists/{report_specialist_pk}/?year={report_year}"),
    Page("library", MATSUYAMA_STAFF, "/knowledge/"),
    Page("library, search", MATSUYAMA_STAFF, "/knowledge/?" + urlencode({"q": "マイナンバーカード"})),
    Page("library, search a common word", MATSUYAMA_STAFF, "/knowledge/?" + urlencode({"q": "職員"})),
    Page("library, item", MATSUYAMA_STAFF, "/knowledge/{library_item_pk}/"),
    Page("partners directory", COORDINATOR, "/knowledge/partners/"),
    Page("partners directory, filtered", COORDINATOR, "/knowledge/partners/?" + urlencode({"domain": "data"})),
]

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
    bare_rps: float | None = None  # the bare view on the same server, measured just before this page
    failure: str = ""

    @property
    def error_count(self) -> int:
        """Answers that were not 2xx plus socket errors and timeouts (status errors are a subset of non-2xx)."""
        return sum(count for kind, count in self.errors.items() if kind != "status")


@dataclass
class Server:
    """One size: its database, its gunicorn and what its pages need."""

    label: str
    size: int
    port: int
    env: dict[str, str]
    visits: int = 0
    events: int = 0
    library: int = 0
    process: subprocess.Popen | None = None
    values: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    results: dict[str, Measurement] = field(default_factory=dict)
    bare_runs: list[float] = field(default_factory=list)

    @property
    def database(self) -> str:
        return f"dxshare_bench_{self.label}"


# --- Command line and environment -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The options; see --help."""
    parser = argparse.ArgumentParser(
        description="Benchmark the consultation pages at two data sizes side by side and write a Markdown table.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--small", type=int, default=2000, help="requests in programme nat-38, first size")
    parser.add_argument("--small-visits", type=int, default=10_000, help="visits across the 47 programmes, first size")
    parser.add_argument("--large-visits", type=int, default=1_000_000, help="visits, second size")
    parser.add_argument("--small-events", type=int, default=200, help="events across the 47 programmes, first size")
    parser.add_argument("--large-events", type=int, default=20_000, help="events, second size")
    parser.add_argument("--small-library", type=int, default=1_000, help="library items (47 programmes), first size")
    parser.add_argument("--large-library", type=int, default=100_000, help="library items, second size")
    parser.add_argument("--large", type=int, default=200_000, help="requests in programme nat-38, second size")
    parser.add_argument("--others", type=int, default=300, help="requests in each of the other 46 programmes")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page (after a 2 s warm-up)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--timeout", type=int, default=10, help="wrk: seconds before a request counts as timed out")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (per size)")
    parser.add_argument("--port", type=int, default=8765, help=f"gunicorn listens on {HOST}:PORT (and PORT+1)")
    parser.add_argument(
        "--output",
        default="var/bench/consultations.md",
        help="Markdown report; a relative path is taken from the repository root",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server (env BENCH_DATABASE_URL); the benchmark creates and drops its databases on it",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3", help="Redis for cache and broker")
    parser.add_argument("--skip-large", action="store_true", help="measure the small size only (a quick check)")
    parser.add_argument(
        "--only", nargs="*", default=[], help="measure only the pages whose name contains one of these words"
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark databases afterwards")
    args = parser.parse_args(argv)
    if min(args.small, args.others, args.duration, args.connections, args.threads, args.workers, args.timeout) < 1:
        parser.error("sizes, duration, connections, threads, workers and timeout must be positive")
    if not args.skip_large and args.large < args.small:
        parser.error("--large must be at least --small")
    if args.connections < args.threads:
        parser.error("wrk needs at least one connection per thread (--connections >= --threads)")
    return args


def database_url(server_url: str, name: str) -> str:
    """The server's URL with another database name (user, host, port and options kept)."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def random_secret_key(length: int = 50) -> str:
    """A SECRET_KEY that the production settings accept (the same one signs cursors in lookup and in gunicorn)."""
    alphabet = string.ascii_letters + string.digits + "-_"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def bench_environment(args: argparse.Namespace, database: str, secret_key: str) -> dict[str, str]:
    """Variables for the subprocesses of one size: production settings on that size's database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchsite.settings",
        "PYTHONPATH": f"{SCRIPTS}{os.pathsep}{REPO}",
        "DATABASE_URL": database_url(args.database_url, database),
        "REDIS_URL": args.redis_url,
        "DEBUG": "false",
        "SECRET_KEY": secret_key,
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


# --- Databases --------------------------------------------------------------------------------------------------


def admin_connection(args: argparse.Namespace) -> psycopg.Connection:
    """An autocommit connection to the server's `postgres` database, for CREATE and DROP DATABASE."""
    return psycopg.connect(database_url(args.database_url, "postgres"), autocommit=True)


def drop_database(args: argparse.Namespace, name: str) -> None:
    """Drop a bench database if it exists (forcing out connections left behind, on PostgreSQL 13 and later)."""
    with admin_connection(args) as connection:
        statement = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        if connection.info.server_version >= 130000:
            statement = sql.SQL("{} WITH (FORCE)").format(statement)
        connection.execute(statement)


def create_database(args: argparse.Namespace, name: str) -> None:
    """A fresh, empty database (an old one from an interrupted run is dropped first)."""
    drop_database(args, name)
    with admin_connection(args) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def server_version(args: argparse.Namespace) -> str:
    """SHOW server_version, for the report's header."""
    with admin_connection(args) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def vacuum_analyze(server: Server) -> None:
    """Fresh statistics and visibility maps after a fill, so that both sizes are planned and read alike."""
    with psycopg.connect(server.env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


# --- Subprocesses: manage.py, gunicorn, wrk ---------------------------------------------------------------------


def run_manage(env: dict[str, str], *arguments: str, quiet: bool = False) -> str:
    """Run `manage.py <arguments>` with a size's environment; its standard output. Quiet: print nothing unless it
    fails."""
    command = [sys.executable, str(REPO / "manage.py"), *arguments]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        raise BenchError(f"manage.py {shlex.join(arguments)} failed with exit code {result.returncode}")
    if not quiet:
        say(f"  manage.py {shlex.join(arguments)}: {time.perf_counter() - started:.0f} s")
    return result.stdout


def fill(server: Server, others: int) -> None:
    """Programme nat-38 gets `server.size` requests; the other programmes `others` each; visits and events are
    spread over the 47 programmes."""
    run_manage(
        server.env,
        "fill_national",
        "--requests",
        str(server.size),
        "--others",
        str(others),
        "--visits",
        str(server.visits),
        "--events",
        str(server.events),
        "--library",
        str(server.library),
        "--partners",
        "200",
        "--allow-production",
    )


def lookup(server: Server) -> None:
    """The ids, cursors and session cookies of this size (scripts/benchsite/lookup.py, in the size's database)."""
    output = run_manage(server.env, "shell", "-c", "from benchsite.lookup import main; main()", quiet=True)
    found = json.loads(output.strip().splitlines()[-1])
    server.values, server.problems, server.cookies = found["values"], found["problems"], found["cookies"]
    for problem in server.problems:
        say(f"  warning ({server.label}): {problem}")


def port_is_open(port: int) -> bool:
    """Whether something accepts TCP connections on HOST:port."""
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def start_gunicorn(args: argparse.Namespace, server: Server) -> None:
    """Start the size's gunicorn and wait until it answers /healthz (at most GUNICORN_START_SECONDS)."""
    if port_is_open(server.port):
        raise BenchError(f"Something already listens on {HOST}:{server.port}; stop it or pass another --port.")
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.is_file():
        raise BenchError(f"gunicorn not found beside {sys.executable} (pip install gunicorn in the virtualenv)")
    log = REPO / "var" / "bench" / f"gunicorn-{server.label}.log"
    command = [
        str(gunicorn),
        "dxshare.wsgi:application",  # dxshare/wsgi.py only setdefaults DJANGO_SETTINGS_MODULE: benchsite wins
        *("--workers", str(args.workers), "--bind", f"{HOST}:{server.port}", "--worker-class", "sync"),
        *("--access-logfile", "/dev/null", "--error-logfile", str(log), "--log-level", "warning"),
    ]
    server.process = subprocess.Popen(command, cwd=REPO, env=server.env)  # noqa: S603 - our own command line
    deadline = time.monotonic() + GUNICORN_START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"gunicorn exited with code {server.process.returncode}; see {log}")
        try:
            status, _queries, _ms = timed_get(server.port, "/healthz", cookie="")
        except OSError:
            time.sleep(0.2)
            continue
        if status != 200:
            say(f"  warning: /healthz of {server.label} answered {status}")
        say(f"  gunicorn for {server.label} is up ({args.workers} sync workers, {HOST}:{server.port})")
        return
    raise BenchError(f"gunicorn did not answer within {GUNICORN_START_SECONDS} s; see {log}")


def stop_gunicorn(server: Server) -> None:
    """SIGTERM (graceful) and wait; SIGKILL if it does not stop within 30 s."""
    process = server.process
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def timed_get(port: int, path: str, *, cookie: str) -> tuple[int, int | None, float]:
    """One GET on a new connection (gunicorn's sync workers close it after each answer anyway):
    (status, SQL queries reported by the benchmark middleware, milliseconds)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        queries = response.getheader("X-Queries")
        return response.status, int(queries) if queries else None, elapsed
    finally:
        connection.close()


def run_wrk(args: argparse.Namespace, port: int, path: str, cookie: str, seconds: int) -> dict:
    """Load the page with wrk for `seconds`; the figures printed by scripts/wrk_report.lua (one JSON line)."""
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    command = [
        wrk,
        *(f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", f"--timeout={args.timeout}s", "--latency"),
        *("-s", str(WRK_SCRIPT), "-H", f"Cookie: {cookie}", f"http://{HOST}:{port}{path}"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 120)  # noqa: S603
    if result.returncode != 0:
        raise BenchError(f"wrk failed (exit code {result.returncode}): {result.stderr.strip() or result.stdout}")
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise BenchError(f"wrk printed no JSON line (is {WRK_SCRIPT} intact?): {result.stdout}")


# --- Measuring --------------------------------------------------------------------------------------------------


def page_path(page: Page, server: Server) -> str:
    """The page's path with the size's looked-up values filled in."""
    try:
        return page.path.format(**server.values)
    except KeyError as missing:
        raise BenchError(f"no value for {missing} at this size") from missing


def one_client(page: Page, servers: list[Server], paths: dict[str, str]) -> None:
    """GETs alternating between the sizes' servers, one at a time: each size's median and its query count."""
    timings: dict[str, list[float]] = {server.label: [] for server in servers}
    queries: dict[str, int | None] = {}
    for number in range(ONE_CLIENT_WARMUP + ONE_CLIENT_SAMPLES):
        for server in servers:
            status, count, elapsed = timed_get(server.port, paths[server.label], cookie=server.cookies[page.user])
            if status != 200:
                raise BenchError(f"{server.label} answered {status} (expected 200)")
            queries[server.label] = count
            if number >= ONE_CLIENT_WARMUP:
                timings[server.label].append(elapsed)
    for server in servers:
        result = server.results.setdefault(page.name, Measurement())
        result.one_client_ms = statistics.median(timings[server.label])
        result.queries = queries[server.label]


def under_load(args: argparse.Namespace, page: Page, server: Server, path: str) -> dict:
    """wrk on one page of one size: a warm-up, then the measured run."""
    cookie = server.cookies[page.user]
    run_wrk(args, server.port, path, cookie, WRK_WARMUP_SECONDS)
    return run_wrk(args, server.port, path, cookie, args.duration)


def measure(args: argparse.Namespace, page: Page, servers: list[Server]) -> None:
    """All figures of one page at every size, or the reason it could not be measured."""
    try:
        for server in servers:
            if page.user not in server.cookies:
                raise BenchError(f"user {page.user} does not exist at {server.label}")
        paths = {server.label: page_path(page, server) for server in servers}
        one_client(page, servers, paths)
        for server in servers:
            bare = under_load(args, BARE, server, BARE.path)
            server.bare_runs.append(bare["requests_per_sec"])
            figures = under_load(args, page, server, paths[server.label])
            result = server.results[page.name]
            result.requests_per_sec = figures["requests_per_sec"]
            result.p50_ms, result.p95_ms = figures["p50_ms"], figures["p95_ms"]
            result.requests = figures["requests"]
            result.errors = {kind: count for kind, count in figures["errors"].items() if count}
            result.bare_rps = bare["requests_per_sec"]
    except BenchError as error:
        say(f"  {page.name:<26} NOT MEASURED: {error}")
        for server in servers:
            server.results[page.name] = Measurement(failure=str(error))
        return
    for server in servers:
        result = server.results[page.name]
        line = (
            f"  {page.name:<26} {server.label:<6} {result.queries:>3} queries  1-client {result.one_client_ms:6.1f} ms"
            f"  {result.requests_per_sec:7.1f} req/s ({share(result.requests_per_sec, result.bare_rps)} of bare)"
            f"  p50 {result.p50_ms:6.1f}  p95 {result.p95_ms:6.1f} ms"
        )
        if result.error_count:
            line += f"  ERRORS: {result.errors}"
        say(line)


# --- Report -----------------------------------------------------------------------------------------------------


def number(value: float | None, digits: int = 1) -> str:
    """A figure for the table ("—" when missing)."""
    return "—" if value is None else f"{value:,.{digits}f}"


def share(value: float | None, reference: float | None) -> str:
    """value / reference as a percentage ("—" when either is missing)."""
    if value is None or not reference:
        return "—"
    return f"{100 * value / reference:.0f}%"


def cells(result: Measurement) -> list[str]:
    """The six cells of one page at one size."""
    if result.failure:
        return ["—", "—", "NOT MEASURED", "—", "—", "—"]
    rate = number(result.requests_per_sec)
    if result.error_count:
        rate = f"**ERRORS: {result.error_count:,} of {result.requests:,}** ({rate})"
    return [
        str(result.queries),
        number(result.one_client_ms),
        rate,
        share(result.requests_per_sec, result.bare_rps),
        number(result.p50_ms),
        number(result.p95_ms),
    ]


def table(servers: list[Server]) -> list[str]:
    """The Markdown table: a row per page, six columns per size, and the 1-client ratio of the two sizes."""
    columns = ["queries", "1-client ms", "req/s", "share of bare", "p50 ms", "p95 ms"]
    header = ["page"] + [f"{server.label} {column}" for server in servers for column in columns]
    if len(servers) == 2:
        header.append(f"1-client {servers[1].label}/{servers[0].label}")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    for page in [BARE, *[p for p in PAGES if any(p.name in server.results for server in servers)]]:
        row = [page.name]
        for server in servers:
            row += cells(server.results.get(page.name, Measurement(failure="not run")))
        if len(servers) == 2:
            small, large = (server.results.get(page.name, Measurement()).one_client_ms for server in servers)
            row.append(f"{large / small:.2f}" if small and large else "—")
        lines.append("| " + " | ".join(row) + " |")
    return lines


def notes(servers: list[Server]) -> list[str]:
    """What went wrong, page by page: not measured, errors under load, values that could not be looked up."""
    lines = []
    for server in servers:
        lines += [f"- {server.label}: {problem}" for problem in server.problems]
        for name, result in server.results.items():
            if result.failure:
                lines.append(f"- {server.label}, {name}: not measured: {result.failure}")
            elif result.error_count:
                lines.append(f"- {server.label}, {name}: wrk errors {result.errors}")
    return lines


def report(args: argparse.Namespace, servers: list[Server], started: dt.datetime, postgres: str) -> str:
    """The whole Markdown report: header, table, notes, legend."""
    sizes = ", ".join(f"{server.label} = {server.size:,}" for server in servers)
    bare = "; ".join(
        f"{server.label}: {len(server.bare_runs)} runs, {min(server.bare_runs):,.0f}–{max(server.bare_runs):,.0f} req/s"
        for server in servers
        if server.bare_runs
    )
    lines = [
        "# Consultation pages: benchmark",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M %Z}",
        f"- Machine: {len(os.sched_getaffinity(0))} CPUs (nproc), {platform.machine()}; PostgreSQL {postgres}",
        f"- Command: `{shlex.join(['python', *sys.argv])}`",
        f"- Load: one gunicorn per size, {args.workers} sync workers each; wrk {args.threads} threads, "
        f"{args.connections} connections, {args.duration} s per run after a {WRK_WARMUP_SECONDS} s warm-up "
        f"(timeout {args.timeout} s); 1-client: median of {ONE_CLIENT_SAMPLES} GETs per size, alternating "
        f"between the sizes, after {ONE_CLIENT_WARMUP} warm-ups",
        f"- Sizes (requests in programme nat-38): {sizes}; {args.others:,} in each of the other 46 programmes",
        "- Visits and events across the 47 programmes: "
        + "; ".join(f"{s.label} = {s.visits:,} visits, {s.events:,} events" for s in servers),
        f"- Bare view under load: {bare}",
        "",
        *table(servers),
        "",
    ]
    problems = notes(servers)
    if problems:
        lines += ["Problems:", "", *problems, ""]
    lines += [
        "Legend:",
        "",
        "- **share of bare**: the page's requests/s under load divided by the bare view's, measured on the same "
        "server just before it (a shared machine's speed drifts over a run, so nothing is compared across minutes). "
        "The bare view (`/bench/bare/`, scripts/benchsite) is `login_required` returning `ok`: the same middleware, "
        "session and user loading as every page and nothing else, so 100% is the most a page can reach and the rest "
        "is the page's own work (queries, template). The bare view's own row compares two of its runs: how far the "
        "machine drifts within a minute.",
        "- **queries**: SQL queries of one GET, session and user included (reported by the benchmark's middleware).",
        "- **1-client ms**: one client alone, no concurrency, alternating between the two sizes' servers so both "
        "are timed in the same minutes. **req/s, p50, p95**: under wrk; latencies include the wait for a free "
        "worker.",
        "- **ERRORS**: non-2xx answers, socket errors or timeouts under wrk (see Problems).",
        "",
    ]
    return "\n".join(lines)


# --- Main -------------------------------------------------------------------------------------------------------


def selected(args: argparse.Namespace) -> list[Page]:
    return [page for page in PAGES if not args.only or any(word in page.name for word in args.only)]


def main(argv: list[str] | None = None) -> int:
    """Build and fill each size, serve both, measure every page side by side, report; always stop gunicorn and
    drop the databases (unless --keep-db)."""
    args = parse_args(argv)
    exit_on_sigterm()
    started = dt.datetime.now().astimezone()
    secret_key = random_secret_key()
    sizes = [("small", args.small)] if args.skip_large else [("small", args.small), ("large", args.large)]
    servers = [Server(label, size, args.port + index, {}) for index, (label, size) in enumerate(sizes)]
    for server in servers:
        large = server.label == "large"
        server.visits = args.large_visits if large else args.small_visits
        server.events = args.large_events if large else args.small_events
        server.library = args.large_library if large else args.small_library
    for server in servers:
        server.env = bench_environment(args, server.database, secret_key)
    (REPO / "var" / "bench").mkdir(parents=True, exist_ok=True)
    created = []
    try:
        postgres = server_version(args)
        for server in servers:
            say(
                f"== {server.label}: {server.size:,} requests in nat-38, {server.visits:,} visits and "
                f"{server.events:,} events in all (database {server.database}) =="
            )
            create_database(args, server.database)
            created.append(server.database)
            run_manage(server.env, "migrate", "--noinput", quiet=True)
            fill(server, args.others)
            started_vacuum = time.perf_counter()
            vacuum_analyze(server)
            say(f"  VACUUM ANALYZE: {time.perf_counter() - started_vacuum:.0f} s")
        run_manage(servers[0].env, "collectstatic", "--noinput", quiet=True)
        say("== Measuring ==")
        for server in servers:
            start_gunicorn(args, server)
            lookup(server)
        for page in [BARE, *selected(args)]:
            measure(args, page, servers)
        text = report(args, servers, started, postgres)
        output = repo_path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        say("\n" + text)
        say(f"Written to {output}")
    except (BenchError, psycopg.Error) as error:
        print(f"\nbench.py: {error}", file=sys.stderr)
        return 1
    finally:
        for server in servers:
            stop_gunicorn(server)
        for name in created:
            if args.keep_db:
                say(f"Kept database {name}.")
            else:
                drop_database(args, name)
                say(f"Dropped database {name}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
