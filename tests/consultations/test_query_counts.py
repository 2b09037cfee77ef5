"""List pages run the same number of SQL queries with 3 and with 30 requests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations import services
from specialists.enums import Domain
from tests.consultations.conftest import checked_pdf, make_request

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _add(n, municipal_user, coordinator, specialists):
    for i in range(n):
        consultation = make_request(municipal_user, title=f"相談 {i}", confidential=i % 4 == 0)
        if i % 2:
            services.consultation_route(
                consultation=consultation, specialist=specialists[Domain.values[i % 5]], by=coordinator
            )
            services.consultation_reply(
                consultation=consultation, author=coordinator, body="返信", files=[checked_pdf()]
            )


@pytest.mark.parametrize(
    ("page", "who"),
    [
        ("inbox", "coordinator"),
        ("list", "coordinator"),
        ("list", "municipal_user"),
        ("list", "specialist"),
        ("list-filtered", "coordinator"),
    ],
)
def test_list_pages_do_not_grow(request, login, page, who, municipal_user, coordinator, five_specialists):
    user = five_specialists[Domain.DATA].user if who == "specialist" else request.getfixturevalue(who)
    url = {
        "inbox": reverse("consultations:inbox"),
        "list": reverse("consultations:list"),
        "list-filtered": reverse("consultations:list") + "?status=routed&urgency=normal&q=相談&ordering=-submitted",
    }[page]
    client = login(user)
    _add(3, municipal_user, coordinator, five_specialists)
    few = _queries(client, url)
    _add(27, municipal_user, coordinator, five_specialists)
    many = _queries(client, url)
    assert few == many, f"{page} as {who}: {few} queries with 3 requests, {many} with 30"
    print(f"\n{page} as {who}: {few} queries")


def test_detail_page_does_not_grow_with_the_thread(login, routed, coordinator, municipal_user):
    client = login(coordinator)
    services.consultation_reply(consultation=routed, author=coordinator, body="1", files=[checked_pdf()])
    few = _queries(client, routed.get_absolute_url())
    for i in range(15):
        services.consultation_reply(
            consultation=routed,
            author=municipal_user if i % 2 else coordinator,
            body=str(i),
            internal=not i % 2 and i % 3 == 0,
            files=[checked_pdf()],
        )
    many = _queries(client, routed.get_absolute_url())
    assert few == many
    print(f"\ndetail: {few} queries")


def test_route_page_does_not_grow_with_workload(login, submitted, coordinator, municipal_user, five_specialists):
    client = login(coordinator)
    url = reverse("consultations:route", args=[submitted.pk])
    _add(3, municipal_user, coordinator, five_specialists)
    few = _queries(client, url)
    _add(20, municipal_user, coordinator, five_specialists)
    assert _queries(client, url) == few
