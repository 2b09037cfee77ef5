"""Benchmark the reminder sweep on a large database (e.g. one filled by `manage.py fill_national --visits 1000000`).

    manage.py bench_sweep --yes-fill-this-database [--due 20000]

It writes one reminder per visit (a 1,000,000-visit database gets 1,000,000 rows: most already sent, some pending
for later, `--due` pending and due now), then prints:

1. the claim query's plan (EXPLAIN ANALYZE of one batch of the sweep's SELECT … FOR UPDATE SKIP LOCKED): it must use
   the partial index reminder_due_idx and no sequential scan;
2. the claim rate: due rows claimed per second, batch after batch, by the sweep's claim and an UPDATE of their state;
3. the whole sweep's rate on the other half of the due rows: claimed, written in the recipients' language by the
   visits' compose, turned into notifications, marked done.

The rows it adds are deleted at the end; the trips it set back to "planned" stay so: use a benchmark database.
"""

import time

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Notification, Reminder, ReminderState
from notifications.reminders import SWEEP_BATCH, due_batch, reminders_sweep
from visits.models import Trip
from visits.reminders import VISIT_TOMORROW

BENCH_OCCASION_PREFIX = "bench-"


class Command(BaseCommand):
    help = "Benchmark the reminder sweep: its plan and claim rate over one reminder per visit (writes to the database)."

    def add_arguments(self, parser):
        parser.add_argument("--due", type=int, default=20_000, help="reminders due now (half claimed, half swept)")
        parser.add_argument("--yes-fill-this-database", action="store_true", help="required: it writes rows")

    def handle(self, *args, **options):
        if not options["yes_fill_this_database"]:
            raise CommandError(
                "This writes a reminder per visit. Run it on a benchmark database with --yes-fill-this-database."
            )
        due = options["due"]
        trip_type = ContentType.objects.get_for_model(Trip).pk
        self.stdout.write("Writing one reminder per visit …")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM notifications_reminder")
            first_id = cursor.fetchone()[0]
            # Rows 1..due: pending and due a minute ago, on trips set back to planned so that compose writes them;
            # every fifth other row pending for later; the rest sent long ago.
            cursor.execute(
                """
                WITH v AS (
                    SELECT id, trip_id, specialist_id, row_number() OVER (ORDER BY id) AS n FROM visits_visit
                ), planned AS (
                    UPDATE visits_trip SET status = 'planned'
                    WHERE id IN (SELECT trip_id FROM v WHERE n <= %(due)s) RETURNING id
                )
                INSERT INTO notifications_reminder
                    (kind, subject_type_id, subject_id, recipient_id, occasion, due_at, state, created_at)
                SELECT %(kind)s, %(trip_type)s, v.trip_id, s.user_id,
                       CASE WHEN n <= %(due)s THEN to_char(t.starts_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD')
                            ELSE %(prefix)s || v.id END,
                       CASE WHEN n <= %(due)s THEN now() - interval '1 minute'
                            WHEN n %% 5 = 0 THEN now() + (1 + n %% 365) * interval '1 day'
                            ELSE now() - (n %% 365) * interval '1 day' END,
                       CASE WHEN n <= %(due)s OR n %% 5 = 0 THEN 'pending' ELSE 'sent' END,
                       now()
                FROM v
                JOIN specialists_specialist s ON s.id = v.specialist_id
                JOIN visits_trip t ON t.id = v.trip_id
                ON CONFLICT DO NOTHING
                """,
                {"kind": VISIT_TOMORROW, "trip_type": trip_type, "prefix": BENCH_OCCASION_PREFIX, "due": due},
            )
            rows = cursor.rowcount
            cursor.execute("ANALYZE notifications_reminder")
        self.stdout.write(f"  {rows:,} reminder rows in {time.perf_counter() - started:.0f} s")

        try:
            self._measure(due)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(
                    "WITH gone AS (DELETE FROM notifications_reminder WHERE id > %s RETURNING notification_id) "
                    "DELETE FROM notifications_notification WHERE id IN (SELECT notification_id FROM gone)",
                    [first_id],
                )

    def _measure(self, due: int) -> None:
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            sql, params = due_batch(now).query.sql_with_params()
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        self.stdout.write(f"\nThe sweep's claim (notifications.reminders.due_batch, {SWEEP_BATCH} rows):\n{sql}\n")
        self.stdout.write(plan)
        uses_index = "reminder_due_idx" in plan
        seq_scan = "Seq Scan" in plan
        self.stdout.write(
            f"\nuses reminder_due_idx: {'yes' if uses_index else 'NO'}; sequential scan: {'YES' if seq_scan else 'no'}"
        )

        # The claim rate: the sweep's claim and the UPDATE that marks the rows, batch after batch, on half the rows.
        half = due // 2
        claimed = 0
        started = time.perf_counter()
        while claimed < half:
            with transaction.atomic():
                ids = [row.pk for row in due_batch(now, min(SWEEP_BATCH, half - claimed))]
                if not ids:
                    break
                Reminder.objects.filter(pk__in=ids).update(state=ReminderState.SKIPPED, done_at=now)
            claimed += len(ids)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"claim rate: {claimed:,} due reminders claimed in {seconds:.2f} s = {claimed / seconds:,.0f}/s"
        )

        # The whole sweep on the rest: claimed, written by the visits' compose, notifications inserted, rows marked.
        before = Notification.objects.count()
        started = time.perf_counter()
        taken = reminders_sweep(now=now, budget_seconds=3600)
        seconds = time.perf_counter() - started
        written = Notification.objects.count() - before
        self.stdout.write(
            f"whole sweep: {taken:,} due reminders taken in {seconds:.2f} s = {taken / seconds:,.0f}/s "
            f"({written:,} notifications written)"
        )
        if not uses_index or seq_scan:
            raise CommandError("The sweep's claim does not read reminder_due_idx.")
