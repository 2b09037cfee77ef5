"""Reads of the knowledge library, scoped: what a person may read, the library's pages, search and one item."""

from dataclasses import dataclass

from django.core import signing
from django.db import connections
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Least, Length, Replace

from accounts import scope
from dxshare import textsearch
from dxshare.paging import KeysetPage, paginate
from knowledge import permissions, text
from knowledge.enums import Kind, Status
from knowledge.models import Item, ItemFile, Tag

PER_PAGE = 20
MAX_QUERY = 100  # characters; a longer search is refused with a message
SEARCH_CAP = 300  # matches counted, and ranked, at most
NEWEST = ("-published_at", "-id")
RANKED = ("-score", "-published_at", "-id")


def _not_confidential() -> Q:
    """A case whose request became confidential after publication disappears from the library at once."""
    return Q(consultation__isnull=True) | Q(consultation__confidential=False)


def _shared_with(programme_id) -> Q:
    shared = Item.shared_with.through.objects.filter(item_id=OuterRef("pk"), programme_id=programme_id)
    return Q(programme_id=programme_id) | Q(shared_with_all=True) | Q(Exists(shared))


def items_visible_to(user) -> QuerySet[Item]:
    """Published items: the programme's own and those shared with it (site administrators: all)."""
    if not scope.is_signed_in(user):
        return Item.objects.none()
    items = Item.objects.filter(status=Status.PUBLISHED).filter(_not_confidential())
    if scope.is_site_admin(user):
        return items
    if user.programme_id is None:
        return Item.objects.none()
    return items.filter(_shared_with(user.programme_id))


def items_readable_by(user) -> QuerySet[Item]:
    """What one item page may show: published items in scope, and unpublished ones to the programme's writers (the
    centre, specialists) and to the case's own municipality (which decides whether it is named)."""
    if not scope.is_signed_in(user):
        return Item.objects.none()
    if scope.is_site_admin(user):
        return Item.objects.all()
    if user.programme_id is None:
        return Item.objects.none()
    condition = Q(status=Status.PUBLISHED) & _not_confidential() & _shared_with(user.programme_id)
    if permissions.can_write(user):
        condition |= Q(programme_id=user.programme_id)
    elif scope.is_municipal(user):
        condition |= Q(programme_id=user.programme_id, kind=Kind.CASE, municipality_id=user.organisation_id)
    return Item.objects.filter(condition)


def item_for_page(user, pk) -> Item:
    return (
        items_readable_by(user)
        .select_related("programme", "municipality", "consultation", "created_by", "published_by")
        .prefetch_related("tags", "files", "shared_with")
        .get(pk=pk)
    )


def file_visible_to(user, pk) -> ItemFile:
    return ItemFile.objects.select_related("item").get(pk=pk, item__in=items_readable_by(user).values("pk"))


@dataclass
class Filters:
    query: str = ""
    kind: str = ""
    domain: str = ""
    tag: str = ""
    deliverable_type: str = ""


@dataclass
class Library:
    page: KeysetPage
    filters: Filters
    searching: bool = False


def _listing(items: QuerySet[Item]) -> QuerySet[Item]:
    return items.select_related("programme", "municipality").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("key"))
    )


def _filtered(items: QuerySet[Item], filters: Filters) -> QuerySet[Item]:
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.domain:
        items = items.filter(domain=filters.domain)
    if filters.deliverable_type:
        items = items.filter(deliverable_type=filters.deliverable_type)
    if filters.tag:
        items = items.filter(Exists(Item.tags.through.objects.filter(item_id=OuterRef("pk"), tag__key=filters.tag)))
    return items


def ranked(items: QuerySet[Item], query: str, *, through_index: bool = True) -> QuerySet[Item]:
    """Items holding every term of the query, each with a `score`: a term in the title or tags counts 6, and each
    time it occurs in the text 1 (up to 5 times), so a title match comes before a passing mention.

    On PostgreSQL the bigram index (dxshare.textsearch) finds the candidates; SQLite reads the rows."""
    wanted = textsearch.terms(query)
    if through_index and connections[items.db].vendor == "postgresql":
        matching = textsearch.candidates(items, query)
    else:
        matching = items.filter(*[Q(search_text__contains=term) for term in wanted])
    score = Value(0, output_field=IntegerField())
    for term in wanted:
        in_title = Q(title_text__contains=term)
        occurrences = (Length("search_text") - Length(Replace("search_text", Value(term), Value("")))) / len(term)
        score = score + Least(occurrences, Value(5)) + _when(in_title, 6)
    return matching.annotate(score=score)


def _when(condition: Q, points: int):
    from django.db.models import Case, When

    return Case(When(condition, then=Value(points)), default=Value(0), output_field=IntegerField())


RECENT = 500  # the newest items read first, to tell a common word from a rare one (as dxshare.textsearch.search)
COMMON = 50  # matches among the RECENT newest that make a word common (one item in ten)
SALT = "knowledge.library.ranked"


def _scored(items: QuerySet[Item], query: str) -> tuple[list[tuple], bool]:
    """(score, published_at, id) of the newest SEARCH_CAP matches, best first, and whether there were more.

    Bounded work whatever the library's size: at most SEARCH_CAP rows are scored. On PostgreSQL the newest RECENT
    items are read first, to see how common the words are:
    - a common word (COMMON or more of them match, e.g. 「職員」 or 「窓口」): the list's own index is walked newest
      first, testing each row, until SEARCH_CAP matches are found (a few thousand rows at most);
    - otherwise the bigram index finds the matches, and the newest SEARCH_CAP of them are scored (walking the list
      for a rare word would read the whole library).
    SQLite (the quick start) reads the rows.
    """
    wanted = textsearch.terms(query)
    substring = Q()
    for term in wanted:
        substring &= Q(search_text__contains=term)
    if connections[items.db].vendor != "postgresql":
        newest = items.filter(substring).order_by(*NEWEST).values("pk")[: SEARCH_CAP + 1]
    else:
        window = items.order_by(*NEWEST)[: RECENT + 1].aggregate(
            seen=Count("pk"), matched=Count("pk", filter=substring)
        )
        if window["seen"] > RECENT and window["matched"] >= COMMON:
            newest = items.filter(substring).order_by(*NEWEST).values("pk")[: SEARCH_CAP + 1]
        else:
            newest = textsearch.candidates(items, query).order_by(*NEWEST).values("pk")[: SEARCH_CAP + 1]
    ids = [row["pk"] for row in newest]
    if not ids:
        return [], False
    # The rows are known by id: testing each for the bigrams again would cost far more than it saves.
    rows = ranked(Item.objects.filter(pk__in=ids[:SEARCH_CAP]), query, through_index=False)
    found = list(rows.order_by(*RANKED).values_list("score", "published_at", "pk"))
    return found, len(ids) > SEARCH_CAP


def _ranked_page(found: list[tuple], capped: bool, cursor: str | None) -> KeysetPage:
    """A page of the ranked matches, addressed by a signed cursor (their position in the ranking is known)."""
    start = 0
    problem = ""
    if cursor:
        try:
            start = int(signing.loads(cursor, salt=SALT))
        except (signing.BadSignature, ValueError, TypeError):
            problem = "invalid_cursor"
        if not 0 <= start < max(len(found), 1):
            start, problem = 0, problem or "restarted"
    chunk = found[start : start + PER_PAGE]
    page = KeysetPage(object_list=chunk, count=len(found), count_capped=capped)
    page.has_next = start + PER_PAGE < len(found)
    page.has_previous = start > 0
    if page.has_next:
        page.next_cursor = signing.dumps(start + PER_PAGE, salt=SALT)
        page.last_cursor = signing.dumps((len(found) - 1) // PER_PAGE * PER_PAGE, salt=SALT)
    if page.has_previous:
        page.previous_cursor = signing.dumps(max(start - PER_PAGE, 0), salt=SALT)
    if problem:
        page.extra[problem] = True
    return page


def library(user, *, filters: Filters, cursor: str | None = None) -> Library:
    """The library page: newest first from a signed cursor on the list's index, or, with a search, best first among
    at most SEARCH_CAP matches (three queries: the window, the ranking, the page's rows; and the tags)."""
    items = _filtered(items_visible_to(user), filters)
    if filters.query:
        found, capped = _scored(items, filters.query)
        page = _ranked_page(found, capped, cursor)
        ids = [pk for _score, _published, pk in page.object_list]
        rows = {item.pk: item for item in _listing(Item.objects.filter(pk__in=ids))} if ids else {}
        page.object_list = [rows[pk] for pk in ids if pk in rows]
        for item in page.object_list:
            item.snippet = text.snippet(f"{item.summary} {item.advice} {item.outcome}", filters.query)
        return Library(page=page, filters=filters, searching=True)
    page = paginate(_listing(items), NEWEST, cursor, per_page=PER_PAGE)
    return Library(page=page, filters=filters)


def drafts_for(user, *, limit: int = 10) -> list[Item]:
    """Unpublished items the person is working on (their own; the centre: the programme's)."""
    if not permissions.can_write(user):
        return []
    # Equality on the status (not "not published"), so the index on (programme, status, updated) serves it.
    items = Item.objects.filter(programme_id=user.programme_id, status__in=[Status.DRAFT, Status.WITHDRAWN])
    if not scope.is_centre(user):
        items = items.filter(created_by=user)
    return list(items.order_by("-updated_at")[:limit])


def cases_of_my_municipality(user, *, limit: int = 10) -> list[Item]:
    """Municipal staff: cases written from their municipality's requests, newest first, with their naming."""
    if not scope.is_municipal(user):
        return []
    items = Item.objects.filter(
        programme_id=user.programme_id, kind=Kind.CASE, municipality_id=user.organisation_id
    ).select_related("consultation")
    return list(items.order_by("-updated_at")[:limit])


def popular_tags(user, *, limit: int = 20) -> list[Tag]:
    """Tags for the filter: the ones on the programme's newest 500 items, most used first (bounded work), kept for
    ten minutes per programme and library generation (knowledge.services)."""
    if not scope.is_signed_in(user):
        return []
    from django.core.cache import cache

    from knowledge.services import library_generation

    key = f"knowledge:tags:{user.programme_id}:{library_generation()}"
    tags = cache.get(key)
    if tags is None:
        tags = _popular_tags(user, limit)
        cache.set(key, tags, 600)
    return tags


def _popular_tags(user, limit: int) -> list[Tag]:
    recent = items_visible_to(user).order_by(*NEWEST).values("pk")[:500]
    tags = Item.tags.through.objects.filter(item_id__in=recent).values_list("tag_id", flat=True)
    counted: dict[int, int] = {}
    for tag_id in tags:
        counted[tag_id] = counted.get(tag_id, 0) + 1
    best = sorted(counted, key=lambda pk: -counted[pk])[:limit]
    return sorted(Tag.objects.filter(pk__in=best), key=lambda tag: tag.key)
