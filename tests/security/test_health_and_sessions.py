"""/healthz discloses nothing to the world; sessions end after a working day, and after two idle hours for the centre;
signed-in pages are not kept by browsers or proxies."""

import time

import pytest
from django.contrib import auth

from accounts.middleware import SEEN_AT, SIGNED_IN_AT
from dxshare.celery import app as celery_app
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_broker():
    """A broker nobody listens on (a real refused connection, not a stand-in)."""
    kept = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"
    yield
    celery_app.conf.broker_url = kept


def test_health_tells_the_world_only_the_status(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")


def test_health_details_for_site_admins_and_the_monitors_token(site_admin, client, settings):
    assert client_for(site_admin).get("/healthz").json() == {"status": "ok", "database": "ok", "broker": "ok"}
    settings.HEALTHZ_TOKEN = "monitor-" + "x" * 40
    assert client.get("/healthz", HTTP_X_HEALTH_TOKEN=settings.HEALTHZ_TOKEN).json()["database"] == "ok"
    assert client.get("/healthz", HTTP_X_HEALTH_TOKEN="wrong").content == b"ok\n"
    settings.HEALTHZ_TOKEN = ""
    assert client.get("/healthz", HTTP_X_HEALTH_TOKEN="").content == b"ok\n"  # no token configured: none accepted


def test_health_says_503_without_saying_why(client, site_admin, broken_broker):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    details = client_for(site_admin).get("/healthz")
    assert details.status_code == 503
    assert details.json()["broker"].startswith("error: ") and details.json()["database"] == "ok"


def _age(client, **clocks):
    session = client.session
    for key, seconds_ago in clocks.items():
        session[key] = int(time.time()) - seconds_ago
    session.save()


def _signed_in(client) -> bool:
    return auth.get_user(client).is_authenticated


def test_a_session_ends_after_a_working_day(municipal_user, settings):
    client = client_for(municipal_user)
    _age(client, **{SIGNED_IN_AT: settings.SESSION_COOKIE_AGE - 60})
    assert client.get("/").status_code == 200 and _signed_in(client)
    _age(client, **{SIGNED_IN_AT: settings.SESSION_COOKIE_AGE + 1})
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert not _signed_in(client)
    assert "一日" in response.text or "working day" in response.text


@pytest.mark.parametrize("who", ["coordinator", "centre_head", "site_admin"])
def test_the_centre_is_signed_out_after_two_idle_hours(request, who, settings):
    client = client_for(request.getfixturevalue(who))
    _age(client, **{SEEN_AT: settings.SESSION_IDLE_MINUTES * 60 - 60})
    assert client.get("/account/notifications/").status_code == 200 and _signed_in(client)
    assert time.time() - client.session[SEEN_AT] < 5  # a page moves the idle clock
    _age(client, **{SEEN_AT: settings.SESSION_IDLE_MINUTES * 60 + 1})
    response = client.get("/account/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not _signed_in(client)


def test_municipal_staff_are_not_signed_out_when_idle(municipal_user, settings):
    client = client_for(municipal_user)
    _age(client, **{SEEN_AT: settings.SESSION_IDLE_MINUTES * 60 + 600})
    assert client.get("/").status_code == 200 and _signed_in(client)


def test_signing_in_starts_the_clocks_and_nothing_remembers_the_browser(client, municipal_user, settings):
    response = client.post("/accounts/login/", {"login": municipal_user.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert abs(client.session[SIGNED_IN_AT] - time.time()) < 5
    assert client.session.get_expire_at_browser_close()  # the cookie ends with the browser
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]


def test_signed_in_pages_are_private_and_not_stored(municipal_user):
    for url in ("/", "/consultations/", "/knowledge/", "/account/notifications/"):
        cache_control = client_for(municipal_user).get(url)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url
