"""Time the knowledge library's search on a large database (e.g. `manage.py fill_national --library 100000`).

    manage.py bench_library_search [--runs 30] [--user coordinator@nat-38.bench.example] [--plans]

For each query of a fixed set (a rare, a middling and a common word, two words, a katakana variant, half-width
forms, a query with a filter), the library's search as the page runs it (`knowledge.selectors.library`: ranking,
the capped count, the first page of 20 with tags, and the snippets) is run `--runs` times after a warm-up. Printed:
the median of the search itself (finding and ranking the matches: `selectors._scored`), the median and 95th
percentile of the whole page's reading (with its rows, tags and snippets), the matches and the SQL queries.
With --plans, EXPLAIN (ANALYZE, BUFFERS) of the ranking query shows which index served it. Similar cases are timed
too (without their cache). Nothing is written.
"""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from knowledge import selectors, similar
from knowledge.models import Item

QUERIES = [
    ("rare word", "ドローン配送", {}),
    ("middling word", "マイナンバーカード", {}),
    ("common word", "職員", {}),
    ("very common word", "窓口", {}),
    ("two words", "AI議事録 効果検証", {}),
    ("katakana variant", "マイナンバカード", {}),
    ("half-width", "ｵｰﾌﾟﾝﾃﾞｰﾀ", {}),
    ("word + domain filter", "研修", {"domain": "security"}),
    ("no match", "存在しない語句", {}),
]
REQUEST = ("マイナンバーカードの申請を増やしたい", "出張で申請を受け付ける方法と、窓口の混雑を減らす工夫を知りたい。")


class Command(BaseCommand):
    help = "Time the library's search (median, p95, queries) and similar cases on this database."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--user", default="coordinator@nat-38.bench.example")
        parser.add_argument("--plans", action="store_true", help="print EXPLAIN ANALYZE of each ranking query")

    def handle(self, *args, runs, user, plans, **options):
        reader = User.objects.filter(email=user).first()
        if reader is None:
            raise CommandError(f"no user {user}: fill the database with `manage.py fill_national --library N` first")
        published = Item.objects.filter(status="published").count()
        visible = selectors.items_visible_to(reader).count()
        self.stdout.write(f"{published:,} published items; {visible:,} readable by {user}; {runs} runs each\n")
        self.stdout.write(
            f"{'query':<24} {'text':<18} {'matches':>9} {'search ms':>10} {'page ms':>8} {'p95 ms':>8} {'queries':>8}"
        )
        for label, query, extra in QUERIES:
            filters = selectors.Filters(query=query, **extra)
            items = selectors._filtered(selectors.items_visible_to(reader), filters)
            searching, _found, _queries = self._time(lambda i=items, q=query: selectors._scored(i, q), runs)
            timings, found, queries = self._time(lambda f=filters: self._page(reader, f), runs)
            count = f"{found[0]:,}{'+' if found[1] else ''}"
            median = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else median
            self.stdout.write(
                f"{label:<24} {query:<18} {count:>9} {statistics.median(searching):>10.1f} {median:>8.1f} "
                f"{p95:>8.1f} {queries:>8}"
            )
            if plans:
                self._plan(reader, filters)
        timings, _found, queries = self._time(
            lambda: (
                similar._similar_ids(reader, subject=REQUEST[0], body=REQUEST[1], domain="", exclude_consultation=None),
                False,
            ),
            runs,
        )
        self.stdout.write(
            f"{'similar cases':<24} {'(a request)':<18} {'5':>9} {statistics.median(timings):>10.1f} "
            f"{statistics.quantiles(timings, n=20)[-1]:>8.1f} {queries:>8}"
        )

    @staticmethod
    def _page(reader, filters):
        found = selectors.library(reader, filters=filters)
        return found.page.count, found.page.count_capped

    @staticmethod
    def _time(function, runs):
        for _ in range(3):
            result = function()
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            result = function()
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            function()
        return timings, result, len(ctx.captured_queries)

    def _plan(self, reader, filters):
        items = selectors._filtered(selectors.items_visible_to(reader), filters)
        ranked = selectors.ranked(items, filters.query).order_by(*selectors.RANKED)[: selectors.PER_PAGE + 1]
        sql, params = ranked.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            for (line,) in cursor.fetchall():
                self.stdout.write(f"    {line}")
