"""Keyset paging (dxshare.paging): every row exactly once while rows arrive, the same pages backwards, and a cursor
that is garbage, tampered with or out of date gives the first page with a message, never an error."""

import datetime as dt

import pytest
from django.urls import reverse

from consultations.models import Consultation
from dxshare.paging import InvalidCursor, KeysetPaginator
from tests import factories

pytestmark = pytest.mark.django_db
NEWEST_FIRST = ("-submitted_at", "-id")
BASE = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def rows(municipal_user):
    # 40 requests over 20 moments: every moment is shared by two rows, so the id must break ties.
    return [
        factories.ConsultationFactory(requester=municipal_user, submitted_at=BASE + dt.timedelta(minutes=i // 2))
        for i in range(40)
    ]


def _walk(queryset, ordering, *, per_page, between=lambda: None):
    paginator = KeysetPaginator(queryset, ordering, per_page=per_page)
    seen, cursor, pages = [], None, 0
    while True:
        page = paginator.page(cursor)
        seen += [row.pk for row in page]
        pages += 1
        if not page.has_next:
            return seen, pages
        between()
        cursor = page.next_cursor


def test_every_row_exactly_once_while_rows_are_inserted(rows, municipal_user):
    queryset = Consultation.objects.filter(programme=municipal_user.programme)
    inserted = []

    def insert():
        # A newer row, a row at the same moment as ones not yet read, and an older one.
        moment = BASE + dt.timedelta(minutes=len(inserted) % 20)
        for submitted_at in (BASE + dt.timedelta(days=1), moment, BASE - dt.timedelta(days=1)):
            inserted.append(factories.ConsultationFactory(requester=municipal_user, submitted_at=submitted_at).pk)

    seen, pages = _walk(queryset, NEWEST_FIRST, per_page=7, between=insert)
    assert pages >= 6
    assert len(seen) == len(set(seen)), "a row was shown twice"
    assert {row.pk for row in rows} <= set(seen), "a row that existed from the start was skipped"
    assert set(seen) - {row.pk for row in rows} <= set(inserted)


@pytest.mark.parametrize("ordering", [NEWEST_FIRST, ("submitted_at", "id"), ("-updated_at", "-id")])
def test_forward_then_back_gives_the_same_pages(rows, municipal_user, ordering):
    paginator = KeysetPaginator(Consultation.objects.all(), ordering, per_page=9)
    forward, cursor = [], None
    while True:
        page = paginator.page(cursor)
        forward.append([row.pk for row in page])
        if not page.has_next:
            break
        cursor = page.next_cursor
    expected = list(Consultation.objects.order_by(*ordering).values_list("pk", flat=True))
    assert [pk for chunk in forward for pk in chunk] == expected
    assert page.has_previous and not page.has_next
    backward = [[row.pk for row in page]]
    while page.has_previous:
        page = paginator.page(page.previous_cursor)
        backward.append([row.pk for row in page])
    assert list(reversed(backward)) == forward
    last = paginator.page(paginator.page(None).last_cursor)  # the "Last" link: the final nine rows
    assert [row.pk for row in last] == expected[-9:]
    assert last.has_previous and not last.has_next


def test_counts_stop_at_the_cap(rows):
    page = KeysetPaginator(Consultation.objects.all(), NEWEST_FIRST, per_page=5, count_cap=30).page(None)
    assert (page.count, page.count_capped) == (30, True)
    page = KeysetPaginator(Consultation.objects.all(), NEWEST_FIRST, per_page=5, count_cap=100).page(None)
    assert (page.count, page.count_capped) == (40, False)


def test_a_cursor_only_fits_its_own_order(rows):
    newest = KeysetPaginator(Consultation.objects.all(), NEWEST_FIRST, per_page=5).page(None)
    with pytest.raises(InvalidCursor):
        KeysetPaginator(Consultation.objects.all(), ("submitted_at", "id"), per_page=5).page(newest.next_cursor)


def _tampered(cursor: str) -> str:
    payload, _, signature = cursor.rpartition(":")
    return f"{payload}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


@pytest.mark.parametrize(
    "query",
    [
        "cursor=garbage",
        "cursor=",
        "cursor=%00%FF%FE",
        "page=abc",
        "page=99999",
        "page=-1",
        "cursor=" + "x" * 5000,
    ],
)
def test_bad_page_links_give_the_first_page(login, coordinator, rows, query):
    response = login(coordinator).get(reverse("consultations:list") + "?" + query)
    assert response.status_code == 200
    first = [row.pk for row in response.context["page"]]
    assert first == list(Consultation.objects.order_by(*NEWEST_FIRST).values_list("pk", flat=True)[:25])


@pytest.mark.parametrize("url_name", ["consultations:list", "consultations:inbox"])
def test_a_tampered_cursor_is_refused_with_a_message(login, coordinator, rows, url_name):
    client = login(coordinator)
    url = reverse(url_name)
    page = client.get(url).context["page"]
    assert page.has_next
    response = client.get(url, {"cursor": _tampered(page.next_cursor)})
    assert response.status_code == 200
    assert [row.pk for row in response.context["page"]] == [row.pk for row in page]
    assert "最初から表示" in response.content.decode()  # "the list starts from the top"


def test_a_cursor_past_every_remaining_row_starts_again(login, coordinator, rows):
    client = login(coordinator)
    page = client.get(reverse("consultations:list")).context["page"]
    beyond = [row.pk for row in Consultation.objects.order_by(*NEWEST_FIRST)[25:]]
    Consultation.objects.filter(pk__in=beyond).delete()
    response = client.get(reverse("consultations:list"), {"cursor": page.next_cursor})
    assert response.status_code == 200
    assert [row.pk for row in response.context["page"]] == [row.pk for row in page]
    assert "最初から表示" in response.content.decode()
