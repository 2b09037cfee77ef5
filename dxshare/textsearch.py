"""Substring search that works in Japanese (no spaces between words) and stays fast on large tables.

Each searchable row keeps a *search text*: its words run through `normalise()` (NFKC, so full- and half-width
forms and the two kinds of digits and Latin letters meet; case folded; katakana spelling variants folded, so
that 「コンピューター」 finds 「コンピュータ」, 「ヴァイオリン」 「バイオリン」 and
「データ・サイエンス」 「データサイエンス」; white space collapsed). A query is cut into
terms at white space; a row matches when its search text contains every term as a substring.

On PostgreSQL a GIN index over the bigrams (every pair of neighbouring characters) of the search text finds the
candidates: a row can only contain 「データ」 if it has the bigrams 「デー」 and 「ータ」. The substring test then
confirms each candidate. The SQL function `dxshare_bigrams(text)` (migration dxshare 0001) computes the bigrams and
indexes use it as an expression; on SQLite, the quick start's database, the substring test runs alone.
A term must have at least MIN_TERM_LENGTH characters: a single character has no bigram to look up.
"""

import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import Count, F, Func, Q, QuerySet, TextField

MIN_TERM_LENGTH = 2
MAX_TERMS = 5
BIGRAMS_FUNCTION = "dxshare_bigrams"


# Katakana written more than one way for the same word. The long-vowel mark and the middle dot are dropped (サーバー,
# サーバ; データ・連携, データ連携); ヴ-sounds become their バ-row spelling; ウィ/ウェ/ウォ and their large-kana
# spellings meet; obsolete and small forms become the ordinary ones. Applied after NFKC (half-width kana are full-width
# by then), to stored texts and queries alike.
KANA_VARIANTS = {
    "ヴァ": "バ",
    "ヴィ": "ビ",
    "ヴェ": "ベ",
    "ヴォ": "ボ",
    "ヴ": "ブ",
    "ウィ": "ウイ",
    "ウェ": "ウエ",
    "ウォ": "ウオ",
    "ヂ": "ジ",
    "ヅ": "ズ",
    "ヰ": "イ",
    "ヱ": "エ",
    "ヶ": "ケ",
    "ヵ": "カ",
    "ー": "",
    "・": "",
}
_KANA_TRANSLATION = str.maketrans({key: value for key, value in KANA_VARIANTS.items() if len(key) == 1})
_KANA_PAIRS = [(key, value) for key, value in KANA_VARIANTS.items() if len(key) == 2]


def fold_kana(text: str) -> str:
    for pair, replacement in _KANA_PAIRS:
        if pair in text:
            text = text.replace(pair, replacement)
    return text.translate(_KANA_TRANSLATION)


def normalise(text: str) -> str:
    """The form rows are stored and queries compared in: NFKC, case folded, katakana variants folded, runs of white
    space as one space."""
    return " ".join(fold_kana(unicodedata.normalize("NFKC", text or "").casefold()).split())


def document(*parts: str) -> str:
    """A row's search text from its searchable parts (kept apart by a line break, so no term spans two parts)."""
    return "\n".join(normalise(part) for part in parts if part)


def terms(query: str) -> list[str]:
    """The query's terms, normalised, without duplicates; terms too short to look up are dropped."""
    found: list[str] = []
    for term in normalise(query).split(" "):
        if len(term) >= MIN_TERM_LENGTH and term not in found:
            found.append(term)
    return found[:MAX_TERMS]


def bigrams(term: str) -> list[str]:
    return sorted({term[i : i + 2] for i in range(len(term) - 1)})


class Bigrams(Func):
    """dxshare_bigrams(<field>): the expression the GIN index is built on (PostgreSQL only)."""

    function = BIGRAMS_FUNCTION
    output_field = ArrayField(TextField())


def _substring(wanted: list[str], field: str) -> Q:
    condition = Q()
    for term in wanted:
        condition &= Q(**{f"{field}__contains": term})
    return condition


def candidates(queryset: QuerySet, query: str, *, field: str = "search_text") -> QuerySet:
    """The rows matching every term, found through the bigram index (PostgreSQL only)."""
    wanted = terms(query)
    every_bigram = sorted({pair for term in wanted for pair in bigrams(term)})
    return (
        queryset.alias(_search_bigrams=Bigrams(F(field)))
        .filter(_search_bigrams__contains=every_bigram)
        .filter(_substring(wanted, field))
    )


@dataclass
class Search:
    """A search applied to a queryset, and what it learnt of the number of matches on the way."""

    queryset: QuerySet
    count: int | None = None  # matches, up to the cap (None: not counted)
    capped: bool = False  # True: at least `count` matches


RECENT = 500  # rows of the list read in its own order before deciding how to search the rest
PAGE = 25


def search(
    queryset: QuerySet,
    query: str,
    *,
    field: str = "search_text",
    cap: int = 1000,
    order: tuple[str, ...] = ("-pk",),
    recent: int = RECENT,
) -> Search:
    """Rows whose search text contains every term of the query (terms shorter than two characters are ignored),
    and what is known of their number, reading a bounded number of rows whatever the table's size.

    On PostgreSQL, one query first tests the list's first `recent` rows in `order` (which an index serves):
    - they are the whole list: their matches are the exact count, and pages read the list testing each row;
    - a page's worth of them match (the word is common): pages read the list in order, finding a page within a few
      hundred rows, and the count is "at least" the matches seen; reading every match of a common word through
      the index would cost as many rows as the word has in the whole table (35,000 for 職員 in the national
      benchmark);
    - fewer match (the word is rare): the bigram index finds the matches (at most `cap` ids, counted exactly) and
      pages read those rows by id; reading the list until a rare word turns up would cost the whole list.
    """
    wanted = terms(query)
    if not wanted:
        return Search(queryset)
    substring = _substring(wanted, field)
    matching = queryset.filter(substring)
    if connections[queryset.db].vendor != "postgresql":
        return Search(matching)
    window = queryset.order_by(*order)[: recent + 1].aggregate(seen=Count("pk"), matched=Count("pk", filter=substring))
    if window["seen"] <= recent:
        return Search(matching, count=window["matched"], capped=False)
    if window["matched"] >= PAGE:
        return Search(matching, count=window["matched"], capped=True)
    found = list(candidates(queryset, query, field=field).order_by().values_list("pk", flat=True)[: cap + 1])
    if len(found) > cap:
        return Search(matching, count=cap, capped=True)
    # The matches are known: the page reads them by id, without scanning the bigram index a second time.
    return Search(queryset.filter(pk__in=found), count=len(found), capped=False)
