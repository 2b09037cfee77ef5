"""The preferences page runs the same number of SQL queries with one notification and with many."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _count(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_preferences_page_does_not_grow_with_notifications(login, municipal_user, other_municipal_user):
    client = login(municipal_user)
    factories.NotificationFactory(recipient=municipal_user)
    factories.NotificationFactory(recipient=other_municipal_user)
    few = _count(client)
    sent = dt.datetime(2025, 4, 1, tzinfo=dt.UTC)
    for n in range(14):  # a mix of sent, pending and digest rows
        factories.NotificationFactory(recipient=municipal_user, digest=n % 2 == 0, sent_at=None if n % 3 else sent)
        factories.NotificationFactory(recipient=other_municipal_user)
    many = _count(client)
    assert few == many, f"{few} queries with 1 notification, {many} with 15"
