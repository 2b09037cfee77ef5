"""Benchmark the council's report export on a large database (e.g. one filled by `manage.py fill_national`).

    manage.py bench_council_report [--programme SLUG] [--year 2026] [--lists]

By default it takes the programme with the most visits and, of its fiscal years, the one with the most visits. The
report is read from the kept figures (reports.models.Snapshot), which beat refreshes every ten minutes: if there are
none yet they are computed first, and that time is printed apart. Then the export itself (snapshot read, workbook
written to a temporary file) is timed, and run again under tracemalloc for its peak memory. With --lists, the
programme's visits of that year are also exported as CSV and .xlsx (as a site administrator's calendar export
writes them), to show that their memory stays flat however many rows there are. Nothing is written to the database
except the snapshot, if it was missing.
"""

import time
import tracemalloc

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from dxshare.fiscal import fiscal_year_span
from municipalities.models import Programme
from reports import council, exports, selectors, services
from visits.models import Trip, Visit


class Command(BaseCommand):
    help = "Time the council report export (seconds, bytes, peak memory) for the programme with the most visits."

    def add_arguments(self, parser):
        parser.add_argument("--programme", help="the programme's slug (default: the one with the most visits)")
        parser.add_argument("--year", type=int, help="the fiscal year (default: the programme's busiest)")
        parser.add_argument("--lists", action="store_true", help="also export the year's visits as CSV and .xlsx")

    def handle(self, *args, **options):
        programme = self._programme(options["programme"])
        year = options["year"] or self._busiest_year(programme)
        visits = Visit.objects.filter(programme=programme, fiscal_year=year).count()
        self.stdout.write(f"{programme.slug}: FY{year}, {visits:,} visit rows")

        if selectors.snapshot_of(programme, year) is None:
            started = time.perf_counter()
            services.snapshot_refresh(programme=programme, fiscal_year=year)
            self.stdout.write(f"figures computed (once; beat keeps them): {time.perf_counter() - started:.2f} s")

        def council_report():
            snapshot = selectors.snapshot_of(programme, year)
            response = exports.xlsx_response(
                council.council_report_name(programme, year), council.council_report_sheets(programme, snapshot)
            )
            size = int(response["Content-Length"])
            response.close()
            return size

        self._measure("council report (.xlsx)", council_report)
        if options["lists"]:
            start, end = fiscal_year_span(year)
            trips = Trip.objects.filter(programme=programme, starts_at__gte=start, starts_at__lt=end)
            trips = trips.order_by("starts_at", "pk")

            def visits_csv():
                return sum(len(line.encode()) for line in exports.csv_lines(["-"] * 8, exports.visit_rows(trips)))

            def visits_xlsx():
                response = exports.xlsx_response("visits", [exports.Sheet("visits", exports.visit_rows(trips))])
                size = int(response["Content-Length"])
                response.close()
                return size

            self._measure(f"visits (.csv, {trips.count():,} rows)", visits_csv)
            self._measure("visits (.xlsx)", visits_xlsx)

    def _programme(self, slug: str | None) -> Programme:
        if slug:
            programme = Programme.objects.filter(slug=slug).first()
            if programme is None:
                raise CommandError(f"No programme {slug!r}.")
            return programme
        busiest = Visit.objects.values("programme").annotate(n=Count("id")).order_by("-n").first()
        if busiest is None:
            raise CommandError("No visit in this database: fill it first (manage.py fill_national).")
        return Programme.objects.get(pk=busiest["programme"])

    def _busiest_year(self, programme) -> int:
        row = (
            Visit.objects.filter(programme=programme)
            .values("fiscal_year")
            .annotate(n=Count("id"))
            .order_by("-n", "-fiscal_year")
            .first()
        )
        return row["fiscal_year"]

    def _measure(self, label: str, export) -> None:
        started = time.perf_counter()
        size = export()
        seconds = time.perf_counter() - started
        tracemalloc.start()
        try:
            export()
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.stdout.write(f"{label}: {seconds:.2f} s, {size:,} bytes, peak memory {peak / 1024 / 1024:.1f} MiB")
