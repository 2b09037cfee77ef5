"""The admin signs in only through the portal's sign-in (its limits and second factor); only site administrators are
staff; behind the TLS proxy the limits count the client's address, not the proxy's."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from accounts.enums import Role
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
LIMIT = 5  # the portal's: allauth's failed sign-ins per account (ACCOUNT_LOGIN_ATTEMPTS_LIMIT's default)


@pytest.fixture(autouse=True)
def _no_counts():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_the_admins_own_password_form_is_gone(site_admin):
    client = Client()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    # Posting a password to the admin's address signs nobody in.
    response = client.post("/admin/login/", {"username": site_admin.email, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302


def test_the_admin_is_blocked_after_as_many_failures_as_the_portal(site_admin):
    client = Client()
    for _attempt in range(LIMIT):
        response = client.post("/accounts/login/?next=/admin/", {"login": site_admin.email, "password": "wrong!"})
        assert response.status_code == 200 and not _held(response)  # "wrong e-mail or password", the form again
    # The sixth attempt, with the right password, is refused: the account is held for a while, admin or not.
    response = client.post("/accounts/login/?next=/admin/", {"login": site_admin.email, "password": PASSWORD})
    assert _held(response)
    assert client.get("/admin/").status_code == 302
    # Another account's sign-in is not held by it, and a site administrator who signs in reaches the admin.
    other = factories.SiteAdminFactory()
    response = Client().post("/accounts/login/?next=/admin/", {"login": other.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_signed_in_site_admin_reaches_the_admin_and_nobody_else(site_admin, coordinator, centre_head):
    assert client_for(site_admin).get("/admin/").status_code == 200
    for user in (coordinator, centre_head):
        assert client_for(user).get("/admin/login/?next=/admin/").status_code == 403
        assert client_for(user).get("/admin/").status_code in (302, 403)


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_only_site_admins_are_staff(coordinator, flag):
    setattr(coordinator, flag, True)
    with pytest.raises(IntegrityError), transaction.atomic():
        coordinator.save()
    staff = factories.UserFactory(role=Role.SITE_ADMIN, programme=None, is_staff=True)
    assert staff.is_staff


def _held(response) -> bool:
    """Whether allauth refused to even try the password: too many failed sign-ins."""
    if response.status_code == 429:
        return True
    form = response.context["form"] if response.context and "form" in response.context else None
    return bool(form) and any(e.code == "too_many_login_attempts" for e in form.non_field_errors().as_data())


def _fail_sign_ins(client, n, **headers):
    outcomes = []
    for i in range(n):
        response = client.post("/accounts/login/", {"login": f"nobody{i}@example.jp", "password": "x"}, **headers)
        outcomes.append("held" if _held(response) else "tried")
    return outcomes


def test_behind_the_proxy_the_limit_counts_the_clients_address(settings):
    """allauth allows 10 failed sign-ins a minute from one address. Behind the proxy (REMOTE_ADDR is the proxy's),
    one trusted proxy means the address the proxy appended to X-Forwarded-For is the one counted."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    client = Client()
    first = _fail_sign_ins(client, 11, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert first == ["tried"] * 10 + ["held"]
    # A client claiming another address in front of the proxy's entry is still the address the proxy saw.
    spoofed = _fail_sign_ins(Client(), 1, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7", **proxy)
    assert spoofed == ["held"]
    # Another client behind the same proxy is not held by the first one.
    assert _fail_sign_ins(Client(), 1, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy) == ["tried"]


def test_without_the_trusted_proxy_every_client_is_the_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert _fail_sign_ins(Client(), 10, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy) == ["tried"] * 10
    assert _fail_sign_ins(Client(), 1, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy) == ["held"]
