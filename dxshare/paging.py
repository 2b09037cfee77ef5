"""Keyset ("seek") paging and capped counts: list pages cost the same on page 1 and page 8,000, with 2,000 rows or
200,000.

A page is asked for with an opaque, signed cursor: the sort values of the row it starts after (or before). The query
asks for the rows beyond that row in index order, so no OFFSET walks past the rows before it, and rows inserted
meanwhile neither repeat nor hide others. Counting stops at a cap: "1,000 or more" is what a person reads anyway,
and an exact COUNT(*) over a programme's 200,000 rows on every view is what made the old pages slow.

Sort keys must be non-null columns and the last one unique (the primary key), so that every row has one place.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core import signing
from django.db.models import Q, QuerySet

FIRST, AFTER, BEFORE, LAST = "first", "after", "before", "last"
SALT = "dxshare.paging.cursor"


class InvalidCursor(ValueError):
    """The cursor is garbage, was tampered with, or belongs to another sort order."""


@dataclass
class KeysetPage:
    object_list: list
    has_next: bool = False
    has_previous: bool = False
    next_cursor: str = ""
    previous_cursor: str = ""
    last_cursor: str = ""
    count: int = 0
    count_capped: bool = False  # True: there are at least `count` rows
    extra: dict = field(default_factory=dict)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def _encode(value):
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    return value


def _decode(value):
    if isinstance(value, dict):
        if "dt" in value:
            return dt.datetime.fromisoformat(value["dt"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
        raise InvalidCursor("unknown value")
    return value


class KeysetPaginator:
    def __init__(self, queryset: QuerySet, ordering: tuple[str, ...], *, per_page: int = 25, count_cap: int = 1000):
        if not ordering or ordering[-1].lstrip("-") not in ("id", "pk"):
            raise ValueError("The last sort key must be the primary key.")
        self.queryset = queryset
        self.ordering = tuple(ordering)
        self.per_page = per_page
        self.count_cap = count_cap

    # --- cursors -------------------------------------------------------------------------------------------------

    def _cursor(self, direction: str, row=None) -> str:
        payload = {"o": list(self.ordering), "d": direction}
        if row is not None:
            payload["k"] = [_encode(self._value(row, key)) for key in self.ordering]
        return signing.dumps(payload, salt=SALT, compress=True)

    def _read(self, cursor: str | None) -> tuple[str, list]:
        if not cursor:
            return FIRST, []
        try:
            payload = signing.loads(cursor, salt=SALT)
        except (signing.BadSignature, ValueError, TypeError) as error:
            raise InvalidCursor(str(error)) from error
        if not isinstance(payload, dict) or payload.get("o") != list(self.ordering):
            raise InvalidCursor("cursor for another sort order")
        direction = payload.get("d")
        if direction in (FIRST, LAST):
            return direction, []
        values = payload.get("k")
        if direction not in (AFTER, BEFORE) or not isinstance(values, list) or len(values) != len(self.ordering):
            raise InvalidCursor("malformed cursor")
        try:
            return direction, [_decode(value) for value in values]
        except (TypeError, ValueError) as error:
            raise InvalidCursor(str(error)) from error

    def cursor_for_last(self) -> str:
        return self._cursor(LAST)

    @staticmethod
    def _value(row, key: str):
        return getattr(row, key.lstrip("-"))

    # --- queries -------------------------------------------------------------------------------------------------

    def _beyond(self, values: list, *, forward: bool) -> Q:
        """Rows strictly beyond `values` in the sort order (forward) or before them (backward).

        (a, b, id) > (x, y, z) is written as a >= x AND (a > x OR (a = x AND (b > y OR (b = y AND id > z)))), so that
        the leading `a >= x` bounds the index scan and the database starts reading at the cursor, not at row one.
        """
        condition = None
        for key, value in reversed(list(zip(self.ordering, values, strict=True))):
            name = key.lstrip("-")
            ascending = not key.startswith("-")
            lookup = "gt" if ascending == forward else "lt"
            strictly = Q(**{f"{name}__{lookup}": value})
            condition = strictly if condition is None else strictly | (Q(**{name: value}) & condition)
        first_key = self.ordering[0]
        bound = "gte" if (not first_key.startswith("-")) == forward else "lte"
        return Q(**{f"{first_key.lstrip('-')}__{bound}": values[0]}) & condition

    @staticmethod
    def _reverse(ordering) -> list[str]:
        return [key[1:] if key.startswith("-") else f"-{key}" for key in ordering]

    def count(self) -> tuple[int, bool]:
        """Rows up to the cap: (count, capped). One query that stops reading at cap + 1 rows."""
        found = self.queryset.order_by().values("pk")[: self.count_cap + 1].count()
        return min(found, self.count_cap), found > self.count_cap

    def page(self, cursor: str | None = None, *, count: bool | tuple[int, bool] = True) -> KeysetPage:
        """The page at `cursor`. `count`: True counts up to the cap; a (count, capped) pair already known is used
        as it is; False leaves the count out."""
        direction, values = self._read(cursor)
        size = self.per_page
        if direction in (FIRST, AFTER):
            queryset = self.queryset.order_by(*self.ordering)
            if direction == AFTER:
                queryset = queryset.filter(self._beyond(values, forward=True))
            rows = list(queryset[: size + 1])
            has_more = len(rows) > size
            rows = rows[:size]
            has_next, has_previous = has_more, direction == AFTER
        else:
            queryset = self.queryset.order_by(*self._reverse(self.ordering))
            if direction == BEFORE:
                queryset = queryset.filter(self._beyond(values, forward=False))
            rows = list(queryset[: size + 1])
            has_more = len(rows) > size
            rows = list(reversed(rows[:size]))
            has_next, has_previous = direction == BEFORE, has_more
        if not rows and direction in (AFTER, BEFORE):
            # Every row beyond the cursor is gone (deleted, or no longer matching): nothing to show from here.
            return KeysetPage(object_list=[], extra={"exhausted": True})
        page = KeysetPage(object_list=rows, has_next=has_next and bool(rows), has_previous=has_previous and bool(rows))
        if page.has_next:
            page.next_cursor = self._cursor(AFTER, rows[-1])
            page.last_cursor = self._cursor(LAST)
        if page.has_previous:
            page.previous_cursor = self._cursor(BEFORE, rows[0])
        if isinstance(count, tuple):
            page.count, page.count_capped = count
        elif count:
            page.count, page.count_capped = self.count()
        return page


def paginate(
    queryset: QuerySet,
    ordering: tuple[str, ...],
    cursor: str | None,
    *,
    per_page: int = 25,
    count_cap: int = 1000,
    count: bool | tuple[int, bool] = True,
    start_at_end: bool = False,
) -> KeysetPage:
    """The page at `cursor`; a bad cursor (garbage, tampered with, another sort order) gives the first page, marked
    `extra["invalid_cursor"]` so the view can say so. `start_at_end`: without a cursor, the last page (a
    conversation opens at its latest messages)."""
    paginator = KeysetPaginator(queryset, ordering, per_page=per_page, count_cap=count_cap)
    default = paginator.cursor_for_last() if start_at_end else None
    try:
        page = paginator.page(cursor or default, count=count)
    except InvalidCursor:
        page = paginator.page(default, count=count)
        page.extra["invalid_cursor"] = True
        return page
    if page.extra.get("exhausted"):  # start again where the list opens, and say so
        page = paginator.page(default, count=count)
        page.extra["restarted"] = True
    return page
