"""Celery talks to the real Redis broker: a worker thread consumes what the portal sends."""

import os

import pytest
from celery.contrib.testing.worker import start_worker

from dxshare.celery import app
from dxshare.tasks import ping

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def redis_worker():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: `make test` and .ci/run point it at the machine's Redis")
    # The suite runs tasks in-process (settings_test); here they go through Redis to a real worker thread.
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def test_settings_use_the_redis_broker(settings):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set")
    assert app.conf.broker_url == os.environ["REDIS_URL"]
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def test_a_task_round_trips_through_redis(redis_worker):
    assert ping.delay().get(timeout=20) == "pong"


def test_health_check_reports_database_and_broker(site_admin):
    from tests.conftest import client_for

    response = client_for(site_admin).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db(transaction=True)
def test_an_invitation_is_mailed_by_the_worker_after_commit(redis_worker, coordinator, municipality):
    import time

    from django.core import mail

    from accounts.enums import Role
    from specialists.services import person_invite

    person_invite(
        invited_by=coordinator,
        email="worker@example.jp",
        full_name="W",
        role=Role.MUNICIPAL,
        programme=coordinator.programme,
        organisation=municipality,
        language="en",
    )
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [m.to for m in mail.outbox] == [["worker@example.jp"]]
    assert "/account/invitation/" in mail.outbox[0].body
