"""Every consultation page runs the same number of SQL queries with few and with many requests."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations import services
from specialists.enums import Domain
from tests.consultations.conftest import checked_pdf, make_request

pytestmark = pytest.mark.django_db
LIST = "/consultations/"

# page: (who, address). "{cursor}" is the queue's second page, read afresh each time.
PAGES = {
    "home (centre)": ("coordinator", "/"),
    "home (municipality)": ("municipal_user", "/"),
    "home (specialist)": ("specialist", "/"),
    "inbox": ("coordinator", "/consultations/inbox/"),
    "queue": ("coordinator", LIST),
    "queue filtered": ("coordinator", LIST + "?status=routed&urgency=normal&domain=design&ordering=changed"),
    "queue by dates": ("coordinator", LIST + "?submitted_from=2020-04-01&submitted_to=2099-03-31&fiscal_year=2026"),
    "queue search": ("coordinator", LIST + "?q=相談&status=routed"),
    "queue deep page": ("coordinator", LIST + "?cursor={cursor}"),
    "queue, last page": ("coordinator", LIST + "?cursor={last}"),
    "queue (specialist, mine)": ("specialist", LIST + "?mine=true"),
    "queue (specialist)": ("specialist", LIST),
    "queue (prefecture)": ("prefecture_user", LIST),
    "municipality's list": ("municipal_user", LIST),
}


def _queries(client, url) -> int:
    cache.clear()  # the route page's similar cases are cached: measure the page as its first reader pays it
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
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


def _url(client, template: str) -> str:
    if "{" not in template:
        return template
    first = client.get(LIST).context["page"]
    return template.format(cursor=first.next_cursor, last=first.last_cursor)


@pytest.mark.parametrize("page", PAGES)
def test_pages_do_not_grow(request, login, page, municipal_user, prefecture_user, coordinator, five_specialists):
    who, template = PAGES[page]
    user = five_specialists[Domain.DATA].user if who == "specialist" else request.getfixturevalue(who)
    client = login(user)
    _add(27, municipal_user, coordinator, five_specialists)  # two pages, so there is a second page to read
    make_request(prefecture_user, title="県の相談")
    few = _queries(client, _url(client, template))
    _add(40, municipal_user, coordinator, five_specialists)
    many = _queries(client, _url(client, template))
    assert few == many, f"{page}: {few} queries with 28 requests, {many} with 68"
    print(f"\n{page}: {few} queries")


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


@pytest.mark.parametrize("who", ["coordinator", "municipal_user", "assignee"])
def test_detail_page_costs_the_same_for_every_party(request, login, routed, five_specialists, who):
    user = five_specialists[Domain.DESIGN].user if who == "assignee" else request.getfixturevalue(who)
    client = login(user)
    few = _queries(client, routed.get_absolute_url())
    _add(10, request.getfixturevalue("municipal_user"), request.getfixturevalue("coordinator"), five_specialists)
    assert _queries(client, routed.get_absolute_url()) == few


def test_route_page_does_not_grow_with_workload(login, submitted, coordinator, municipal_user, five_specialists):
    client = login(coordinator)
    url = reverse("consultations:route", args=[submitted.pk])
    _add(3, municipal_user, coordinator, five_specialists)
    few = _queries(client, url)
    _add(20, municipal_user, coordinator, five_specialists)
    assert _queries(client, url) == few
