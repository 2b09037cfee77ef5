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
    app.conf.task_ignore_result = False
    app.conf.result_backend = os.environ["REDIS_URL"]
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=10):
            yield
    finally:
        app.conf.task_ignore_result = True
        app.conf.result_backend = None


def test_settings_use_the_redis_broker(settings):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set")
    assert app.conf.broker_url == os.environ["REDIS_URL"]
    assert not app.conf.task_always_eager
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def test_a_task_round_trips_through_redis(redis_worker):
    assert ping.delay().get(timeout=20) == "pong"


def test_health_check_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
