"""With DEBUG off, an insecure configuration stops start-up with a one-line explanation."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dxshare.env_checks import production_problems

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN"
REDIS = "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("secret_key", "hosts", "expected"),
    [
        ("", ["portal.example.jp"], ["SECRET_KEY is not set"]),
        ("django-insecure-" + "x" * 60, ["portal.example.jp"], ["SECRET_KEY is insecure"]),
        ("short", ["portal.example.jp"], ["SECRET_KEY is insecure"]),
        ("a" * 80, ["portal.example.jp"], ["SECRET_KEY is insecure"]),
        (GOOD_KEY, [], ["ALLOWED_HOSTS is empty"]),
        (GOOD_KEY, [" "], ["ALLOWED_HOSTS is empty"]),
        ("", [], ["SECRET_KEY is not set", "ALLOWED_HOSTS is empty"]),
        (GOOD_KEY, ["*"], ["ALLOWED_HOSTS is *"]),
        (GOOD_KEY, ["portal.example.jp", " *"], ["ALLOWED_HOSTS is *"]),
        (GOOD_KEY, ["portal.example.jp"], []),
    ],
)
def test_production_problems(secret_key, hosts, expected):
    problems = production_problems(debug=False, secret_key=secret_key, allowed_hosts=hosts, redis_url=REDIS)
    assert [p.split(" (")[0] for p in problems] == expected


def test_production_needs_the_shared_redis():
    """Sign-in limits counted in each process's memory limit nothing: no Redis, no start."""
    problems = production_problems(debug=False, secret_key=GOOD_KEY, allowed_hosts=["portal.example.jp"], redis_url="")
    assert [p.split(" (")[0] for p in problems] == ["REDIS_URL is not set"]


def test_debug_mode_accepts_anything():
    assert production_problems(debug=True, secret_key="", allowed_hosts=[], redis_url="") == []


def _start(env_overrides: dict, *command: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "REDIS_URL"}}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="dxshare.settings")
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *(command or ["check"])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"DEBUG": "false", "ALLOWED_HOSTS": "portal.example.jp"}, "SECRET_KEY is not set"),
        ({"DEBUG": "false", "SECRET_KEY": "django-insecure-abc", "ALLOWED_HOSTS": "x.jp"}, "SECRET_KEY is insecure"),
        ({"DEBUG": "false", "SECRET_KEY": GOOD_KEY, "REDIS_URL": REDIS}, "ALLOWED_HOSTS is empty"),
        ({"DEBUG": "false", "SECRET_KEY": GOOD_KEY, "REDIS_URL": REDIS, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS is *"),
        ({"DEBUG": "false", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "portal.example.jp"}, "REDIS_URL is not set"),
    ],
)
def test_insecure_production_configuration_refuses_to_start(env, reason, tmp_path):
    # Run from a copy-free cwd but without a .env file influencing the result: .env never overrides real variables,
    # and every variable that matters is set (or removed) here.
    result = _start(env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dxshare refuses to start with DEBUG off:") and reason in lines[0]


def test_secure_production_configuration_starts():
    result = _start(
        {"DEBUG": "false", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "portal.example.jp", "REDIS_URL": REDIS}
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_settings_come_from_the_environment(settings):
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert settings.LANGUAGE_CODE == "ja"
    assert [code for code, _ in settings.LANGUAGES] == ["ja", "en"]
    assert settings.USE_TZ


def test_code_only_commands_run_without_the_production_secrets():
    """A fresh checkout can check its migrations without SECRET_KEY or ALLOWED_HOSTS; serving still refuses."""
    result = _start({"DEBUG": "false"}, "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
    assert _start({"DEBUG": "false"}).returncode == 1


@pytest.mark.parametrize(("behind", "count"), [("true", "1"), ("false", "0")])
def test_behind_the_tls_proxy_the_sign_in_limits_trust_one_proxy(behind, count):
    code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    result = _start({"DEBUG": "true", "BEHIND_TLS_PROXY": behind}, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == count
