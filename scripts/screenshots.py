"""Screenshots of the portal as its users see it, at 1366 px and on a 390 px phone, for the docs and for reviews.

    .venv/bin/python scripts/screenshots.py docs/screenshots/after

It builds the demo programme in a throw-away SQLite database (manage.py seed_demo), serves it with runserver on a
free port, signs in as each kind of person with Debian's Chromium (Playwright) and saves full-page PNGs: each role's
home page, the queue, a request in each state, and the filing form with errors. Nothing is written outside the
folder given and a temporary directory.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "dxshare-demo-2026"  # noqa: S105 - the demo accounts' published password (demo.services.DEMO_PASSWORD)
WIDTHS = (1366, 390)
PEOPLE = {
    "municipal": "staff1@matsuyama.ehime.example",
    "specialist": "design@specialists.ehime.example",
    "coordinator": "coordinator1@centre.ehime.example",
    "prefecture": "dx@pref.ehime.example",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        "LANGUAGE_CODE": "ja",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "consolemail://",
    }


def manage(env, *arguments) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(REPO / "manage.py"), *arguments], cwd=REPO, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def request_ids(env) -> dict[str, dict[str, int]]:
    """The newest request of the demo programme in each status, for the centre's view and for the municipal demo
    user's own municipality (its requester's view)."""
    code = (
        "import json\n"
        "from accounts.models import User\n"
        "from consultations.models import Consultation\n"
        f"town = User.objects.get(email={PEOPLE['municipal']!r}).organisation_id\n"
        "found = {'centre': {}, 'municipal': {}}\n"
        "for c in Consultation.objects.filter(programme__slug='ehime').order_by('-submitted_at'):\n"
        "    found['centre'].setdefault(c.status, c.pk)\n"
        "    if c.organisation_id == town:\n"
        "        found['municipal'].setdefault(c.status, c.pk)\n"
        "print(json.dumps(found))\n"
    )
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("runserver did not start")


DEMO_TOTP_SECRET = "DXSHAREDEMODXSHAREDEMODXSHAREDEM"  # noqa: S105 - demo.services.DEMO_TOTP_SECRET, published


def _demo_code() -> str:
    """The demo's current second-step code (RFC 6238, 30 s, 6 digits), waiting out a period's last seconds."""
    import base64
    import hashlib
    import hmac
    import struct

    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    key = base64.b32decode(DEMO_TOTP_SECRET)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def shoot(base: str, out: Path, ids: dict[str, dict[str, int]]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width in WIDTHS:
            for role, email in PEOPLE.items():
                context = browser.new_context(base_url=base, locale="ja-JP", viewport={"width": width, "height": 900})
                page = context.new_page()
                page.goto("/accounts/login/")
                page.locator("#id_login").fill(email)
                page.locator("#id_password").fill(PASSWORD)
                page.locator("main button[type=submit]").click()
                page.wait_for_load_state()
                if "/accounts/2fa/authenticate/" in page.url:  # the centre's second step: the demo's published key
                    page.locator("#id_code").fill(_demo_code())
                    page.locator("#id_code").press("Enter")
                page.wait_for_url("**/")
                shots = {f"home-{role}": "/"}
                if role in ("coordinator", "municipal"):
                    shots[f"queue-{role}"] = "/consultations/"
                if role == "coordinator":
                    shots["inbox"] = "/consultations/inbox/"
                    shots |= {f"request-{status}": f"/consultations/{pk}/" for status, pk in ids["centre"].items()}
                if role == "municipal":
                    shots |= {
                        f"request-{status}-municipal": f"/consultations/{pk}/"
                        for status, pk in ids["municipal"].items()
                    }
                for name, url in shots.items():
                    page.goto(url)
                    saved.append(out / f"{name}-{width}.png")
                    page.screenshot(path=str(saved[-1]), full_page=True)
                if role == "municipal":
                    page.goto("/consultations/new/")
                    page.locator("main form button[type=submit]").first.click()
                    page.wait_for_load_state()
                    saved.append(out / f"form-errors-{width}.png")
                    page.screenshot(path=str(saved[-1]), full_page=True)
                context.close()
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="where the PNG files go, e.g. docs/screenshots/after")
    args = parser.parse_args()
    out = Path(args.folder).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        env = environment(Path(temporary) / "screenshots.sqlite3")
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        ids = request_ids(env)
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, str(REPO / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port)
            saved = shoot(f"http://127.0.0.1:{port}", out, ids)
        finally:
            server.terminate()
            server.wait()
    print(f"{len(saved)} screenshots in {out}")


if __name__ == "__main__":
    main()
