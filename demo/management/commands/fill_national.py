import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.national import BIG_PROGRAMME, national_fill
from demo.national_knowledge import library_fill
from demo.national_visits import visits_fill
from demo.partners import partners_fill


class Command(BaseCommand):
    help = (
        "Fill the database to national scale for benchmarks: 47 programmes (nat-01 … nat-47), and programme "
        f"{BIG_PROGRAMME} topped up to --requests consultation requests with their threads and history. Additive."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200_000, help="Requests in programme nat-38 afterwards.")
        parser.add_argument("--others", type=int, default=300, help="Requests in each other programme (first run).")
        parser.add_argument("--visits", type=int, default=0, help="Visits across the 47 programmes (first run).")
        parser.add_argument("--events", type=int, default=0, help="Events across the 47 programmes (first run).")
        parser.add_argument(
            "--library", type=int, default=0, help="Published library items across the 47 programmes (first run)."
        )
        parser.add_argument("--partners", type=int, default=0, help="Partners per programme (first run).")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Fill even with DEBUG off (the benchmark does, on its own throw-away database).",
        )

    def handle(
        self, *args, requests, others, visits=0, events=0, library=0, partners=0, allow_production=False, **options
    ):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Refusing to add benchmark data with DEBUG off; pass --allow-production to insist.")
        started = time.perf_counter()
        result = national_fill(requests=requests, others=others)
        added_visits, added_events = visits_fill(visits=visits, events=events) if visits or events else (0, 0)
        added_items = library_fill(items=library) if library else 0
        if partners:
            partners_fill(per_programme=partners)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.programmes} programmes; {result.created} requests added; {BIG_PROGRAMME} now has "
                f"{result.total} requests; {added_visits} visits, {added_events} events and {added_items} library "
                f"items added "
                f"({time.perf_counter() - started:.0f} s)."
            )
        )
