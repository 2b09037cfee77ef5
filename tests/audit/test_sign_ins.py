"""The sign-in log on the audit page: scoped like the trail, filtered, exported; nobody else reads it."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import SecurityEvent
from accounts.security_log import Kind
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/audit/sign-ins/"


def _sign_in(user, password="correct-horse-battery"):  # noqa: S107 - the factories' test password
    Client().post("/accounts/login/", {"login": user.email, "password": password})


def test_the_centre_head_reads_their_programmes_sign_ins_and_site_admins_all(
    municipal_user, outsider, centre_head, site_admin
):
    _sign_in(municipal_user)
    _sign_in(outsider, password="wrong")
    Client().post("/accounts/login/", {"login": "nobody@example.jp", "password": "x"})
    head = client_for(centre_head).get(URL)
    shown = {(e.kind, e.email) for e in head.context["page"].object_list}
    assert (Kind.SIGNED_IN, municipal_user.email) in shown
    assert not any(email in (outsider.email, "nobody@example.jp") for _kind, email in shown)
    admin = client_for(site_admin).get(URL)
    emails = {e.email for e in admin.context["page"].object_list}
    assert {municipal_user.email, outsider.email, "nobody@example.jp"} <= emails
    assert "nobody@example.jp" in admin.content.decode()


def test_filters_and_export(municipal_user, site_admin):
    _sign_in(municipal_user, password="wrong")
    _sign_in(municipal_user)
    client = client_for(site_admin)
    failed = client.get(URL, {"person": municipal_user.email, "kind": Kind.SIGN_IN_FAILED})
    assert [e.kind for e in failed.context["page"].object_list] == [Kind.SIGN_IN_FAILED]
    response = client.get(URL + "export.csv", {"person": municipal_user.email})
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert body.startswith("\ufeff") and len(rows) == 1 + SecurityEvent.objects.filter(user=municipal_user).count()


def test_nobody_else_reads_it(municipal_user, coordinator, specialist_user):
    for user in (municipal_user, coordinator, specialist_user):
        assert client_for(user).get(URL).status_code == 403
        assert client_for(user).get(URL + "export.csv").status_code == 403


@pytest.mark.parametrize("query", [{"since": "2026-12-01", "until": "2026-11-01"}, {"kind": "x"}, {"person": "nope"}])
def test_bad_filters_say_why(site_admin, query):
    response = client_for(site_admin).get(URL, query)
    assert response.status_code == 400 and response.context["form"].errors


def test_the_page_runs_a_fixed_number_of_queries(site_admin, municipal_user):
    client = client_for(site_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    _sign_in(municipal_user)
    few = count()
    for _i in range(15):
        _sign_in(municipal_user)
    assert count() == few
