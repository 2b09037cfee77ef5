"""Two-step sign-in (allauth.mfa): required for site administrators, the centre head and coordinators, offered to
the others; wrong codes are limited like wrong passwords; a recovery code works once; a lost factor is reset by a
site administrator, recorded. The security log records sign-ins, failures, sign-outs and factor changes."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib import auth
from django.core.cache import cache
from django.test import Client

from accounts.enums import Role
from accounts.models import SecurityEvent
from accounts.security_log import Kind
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
REQUIRED = "/account/two-factor/"


@pytest.fixture(autouse=True)
def _no_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CENTRE_HEAD, Role.SITE_ADMIN])
def test_the_centre_and_site_admins_cannot_use_the_portal_before_enrolling(role, programme):
    person = factories.UserFactory(
        role=role, programme=None if role == Role.SITE_ADMIN else programme, two_factor=False
    )
    client = client_for(person)
    for url in ("/", "/consultations/", "/knowledge/", "/account/notifications/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == REQUIRED, url
    page = client.get(REQUIRED)
    assert page.status_code == 200 and page.context["required"] and not page.context["enrolled"]
    # The pages that set a factor up stay open (activating asks for the password again first).
    assert client.get("/accounts/2fa/totp/activate/").status_code in (200, 302)
    assert not client.get("/accounts/2fa/totp/activate/").get("Location", "").startswith(REQUIRED)
    # Once an authenticator app is set up, the portal opens.
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(person, factories.TOTP_SECRET)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("role", [Role.MUNICIPAL, Role.PREFECTURE, Role.SPECIALIST])
def test_everyone_else_is_offered_it(role, programme, municipality):
    organisation = {Role.MUNICIPAL: municipality, Role.PREFECTURE: programme.prefecture}.get(role)
    person = factories.UserFactory(role=role, programme=programme, organisation=organisation)
    assert not Authenticator.objects.filter(user=person).exists()
    client = client_for(person)
    assert client.get("/").status_code == 200
    page = client.get(REQUIRED)
    assert page.status_code == 200 and not page.context["required"]


def _sign_in(client, user, password=PASSWORD):
    return client.post("/accounts/login/", {"login": user.email, "password": password})


def test_signing_in_asks_for_the_code_after_the_password(coordinator):
    client = Client()
    response = _sign_in(client, coordinator)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert not auth.get_user(client).is_authenticated  # the password alone opens nothing
    assert client.get("/").status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": factories.totp_code(coordinator)})
    assert response.status_code == 302
    assert auth.get_user(client).pk == coordinator.pk
    assert client.get("/").status_code == 200


def test_wrong_codes_are_limited_like_passwords(coordinator):
    client = Client()
    _sign_in(client, coordinator)
    for _attempt in range(5):
        response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
        assert response.status_code == 200 and "code" in response.context["form"].errors
    # The sixth try, even with the right code, is refused: the same five-in-five-minutes as passwords.
    response = client.post("/accounts/2fa/authenticate/", {"code": factories.totp_code(coordinator)})
    assert response.status_code == 200 and not auth.get_user(client).is_authenticated
    assert SecurityEvent.objects.filter(user=coordinator, kind=Kind.TWO_FACTOR_FAILED).count() == 5


def test_a_recovery_code_works_once(coordinator):
    codes = RecoveryCodes.activate(coordinator).get_unused_codes()
    client = Client()
    _sign_in(client, coordinator)
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert auth.get_user(client).pk == coordinator.pk
    client.post("/accounts/logout/")
    again = Client()
    _sign_in(again, coordinator)
    response = again.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert response.status_code == 200 and not auth.get_user(again).is_authenticated
    assert again.post("/accounts/2fa/authenticate/", {"code": codes[1]}).status_code == 302


def test_a_site_admin_resets_a_lost_factor_with_a_reason(site_admin, coordinator):
    url = f"/account/people/{coordinator.pk}/two-factor-reset/"
    for outsider in (coordinator, factories.UserFactory(role=Role.CENTRE_HEAD, programme=coordinator.programme)):
        assert client_for(outsider).post(url, {"reason": "x"}).status_code == 403
    admin = client_for(site_admin)
    assert admin.get(url).status_code == 200
    refused = admin.post(url, {"reason": ""})
    assert refused.status_code == 400 and Authenticator.objects.filter(user=coordinator).exists()
    assert admin.post(url, {"reason": "電話で本人確認のうえ"}).status_code == 302
    assert not Authenticator.objects.filter(user=coordinator).exists()
    event = SecurityEvent.objects.get(kind=Kind.TWO_FACTOR_RESET)
    assert (event.user, event.actor, event.data["reason"]) == (coordinator, site_admin, "電話で本人確認のうえ")
    # The coordinator must enrol again before using the portal.
    assert client_for(coordinator).get("/").status_code == 302


def test_the_security_log_records_sign_ins_failures_and_sign_outs(municipal_user, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9", HTTP_USER_AGENT="Firefox/140")
    _sign_in(client, municipal_user, password="wrong")
    client.post("/accounts/login/", {"login": "nobody@example.jp", "password": "x"})
    _sign_in(client, municipal_user)
    client.post("/accounts/logout/")
    events = list(SecurityEvent.objects.order_by("pk").values_list("kind", "email", "user_id", "ip", "user_agent"))
    assert events == [
        (Kind.SIGN_IN_FAILED, municipal_user.email, municipal_user.pk, "203.0.113.9", "Firefox/140"),
        (Kind.SIGN_IN_FAILED, "nobody@example.jp", None, "203.0.113.9", "Firefox/140"),
        (Kind.SIGNED_IN, municipal_user.email, municipal_user.pk, "203.0.113.9", "Firefox/140"),
        (Kind.SIGNED_OUT, municipal_user.email, municipal_user.pk, "203.0.113.9", "Firefox/140"),
    ]


def test_nobody_rewrites_the_security_log(municipal_user, site_admin):
    from django.db import DatabaseError, connection, transaction

    _sign_in(Client(), municipal_user)
    event = SecurityEvent.objects.get()
    if connection.vendor == "postgresql":
        for statement in (
            "UPDATE accounts_securityevent SET kind = 'signed_out'",
            "DELETE FROM accounts_securityevent",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
    event.refresh_from_db()
    assert event.kind == Kind.SIGNED_IN
    admin = client_for(site_admin)
    assert admin.get(f"/admin/accounts/securityevent/{event.pk}/change/").status_code == 200  # read only
    assert admin.post(f"/admin/accounts/securityevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


def test_someone_enrolling_sees_only_the_way_to_enrol_in_the_menu(programme):
    newcomer = factories.UserFactory(role=Role.COORDINATOR, programme=programme, two_factor=False)
    page = client_for(newcomer).get(REQUIRED)
    assert [item["url"] for item in page.context["nav_items"]] == [REQUIRED]
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(newcomer, factories.TOTP_SECRET)
    client = client_for(newcomer)
    assert len(client.get(REQUIRED).context["nav_items"]) > 5
