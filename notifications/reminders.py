"""Reminders: rows in PostgreSQL that say "remind this person of this subject at this moment", turned into outbox
notifications by a sweep when they fall due.

A feature plans its reminders in the same transaction as the change they follow (`reminders_plan`): the rows it
wants for a subject are kept or moved, the others still pending are cancelled. Nothing waits in Redis: no ETA or
countdown task holds a reminder, so a restarted broker loses none and a redelivered task sends none twice.

The sweep (`reminders_sweep`, every minute, safe with two beats and two workers) takes due rows in batches with
`SELECT … FOR UPDATE SKIP LOCKED` (two sweeps split the work, they never share a row), asks the kind's `compose` for
the messages in the recipients' languages, writes the notifications (each with the reminder's unique key) and marks
the rows done, all in one transaction: a sweep that dies leaves its rows pending for the next one, and a row is turned
into a notification at most once because the row and the notification commit together.
"""

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.models import User
from notifications import registry
from notifications.models import Delivery, Notification, Reminder, ReminderState

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
SWEEP_BUDGET_SECONDS = 40  # the sweep runs every minute; leave room before the next one


@dataclass(frozen=True)
class Planned:
    """One reminder a feature wants: `kind` of `subject` for `recipient` on `occasion`, due at `due_at`."""

    kind: str
    recipient: User | int
    occasion: str
    due_at: dt.datetime

    @property
    def recipient_id(self) -> int:
        return self.recipient if isinstance(self.recipient, int) else self.recipient.pk


def _subject_rows(subject, kinds=None):
    rows = Reminder.objects.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    return rows


def reminders_plan(subject, wanted: list[Planned], *, kinds, now: dt.datetime | None = None) -> None:
    """Make `subject`'s pending reminders of `kinds` exactly `wanted`; call it inside the feature's transaction.

    Rows already sent stay as they are (nobody is reminded twice of one occasion); a wanted row that was cancelled
    comes back (the visit moved back to its first day); a pending row no longer wanted is cancelled (the visit moved,
    was cancelled or done). Wanted rows whose moment has passed are not created: a visit planned today for tomorrow
    afternoon is still reminded of, one planned yesterday for today is not.
    """
    with transaction.atomic():  # a savepoint inside the feature's transaction; the rows lock until it commits
        _plan(subject, wanted, kinds=kinds, now=now or timezone.now())


def _plan(subject, wanted: list[Planned], *, kinds, now: dt.datetime) -> None:
    subject_type = ContentType.objects.get_for_model(subject)
    existing = {
        (row.kind, row.recipient_id, row.occasion): row
        for row in Reminder.objects.select_for_update().filter(
            subject_type=subject_type, subject_id=subject.pk, kind__in=list(kinds)
        )
    }
    keep = set()
    for plan in wanted:
        key = (plan.kind, plan.recipient_id, plan.occasion)
        keep.add(key)
        row = existing.get(key)
        if row is None:
            Reminder.objects.create(
                kind=plan.kind,
                subject_type=subject_type,
                subject_id=subject.pk,
                recipient_id=plan.recipient_id,
                occasion=plan.occasion,
                due_at=plan.due_at,
                created_at=now,
            )
        elif row.state == ReminderState.CANCELLED or (row.state == ReminderState.PENDING and row.due_at != plan.due_at):
            Reminder.objects.filter(pk=row.pk).update(state=ReminderState.PENDING, due_at=plan.due_at, done_at=None)
    dropped = [row.pk for key, row in existing.items() if key not in keep and row.state == ReminderState.PENDING]
    if dropped:
        Reminder.objects.filter(pk__in=dropped, state=ReminderState.PENDING).update(
            state=ReminderState.CANCELLED, done_at=now
        )


def reminders_cancel(subject, *, kinds=None, recipient=None, now: dt.datetime | None = None) -> int:
    """Cancel `subject`'s pending reminders (of `kinds`, for `recipient`). Returns how many."""
    rows = _subject_rows(subject, kinds).filter(state=ReminderState.PENDING)
    if recipient is not None:
        rows = rows.filter(recipient=recipient)
    return rows.update(state=ReminderState.CANCELLED, done_at=now or timezone.now())


UNIQUE_KEY_PREFIX = "reminder:"


def unique_key(reminder: Reminder) -> str:
    return f"{UNIQUE_KEY_PREFIX}{reminder.pk}"


def due_batch(now: dt.datetime, limit: int = SWEEP_BATCH):
    """The sweep's claim: up to `limit` due pending rows, oldest due first, locked until the transaction ends; rows
    another sweep holds are skipped, not waited for. Read from the partial index reminder_due_idx."""
    return (
        Reminder.objects.filter(state=ReminderState.PENDING, due_at__lte=now)
        .order_by("due_at")
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("recipient")[:limit]
    )


def _sweep_batch(now: dt.datetime, limit: int) -> int:
    """One transaction: claim up to `limit` due rows, write their notifications, mark them. Returns rows taken.

    A fixed number of queries per batch, whatever its size: the claim, the kinds' compose (each reads its subjects
    in bulk), the preferences, one INSERT of the notifications, one read of their ids, two UPDATEs of the rows."""
    from notifications.services import deliveries_for, notifications_schedule_many

    with transaction.atomic():
        batch = list(due_batch(now, limit))
        if not batch:
            return 0
        by_kind: dict[str, list[Reminder]] = {}
        for reminder in batch:
            by_kind.setdefault(reminder.kind, []).append(reminder)
        messages: dict[int, registry.Message | None] = {}
        for kind, reminders in by_kind.items():
            spec = registry.get(kind)
            if spec is None or spec.compose is None:
                logger.error("No compose registered for reminder kind %s; %s row(s) skipped", kind, len(reminders))
                continue
            messages.update(spec.compose(reminders))
        deliveries = deliveries_for([(r.recipient, r.kind) for r in batch])
        wanted, handled = [], set()
        for reminder in batch:
            message = messages.get(reminder.pk)
            delivery = deliveries[(reminder.recipient_id, reminder.kind)]
            if message is registry.HANDLED:
                handled.add(reminder.pk)
            elif message is not None and delivery != Delivery.OFF:
                wanted.append((reminder, message, delivery))
        created = notifications_schedule_many(
            [
                {
                    "recipient": reminder.recipient,
                    "kind": reminder.kind,
                    "subject": message.subject,
                    "body": message.body,
                    "url": message.url,
                    "unique_key": unique_key(reminder),
                    "delivery": delivery,
                }
                for reminder, message, delivery in wanted
            ],
            now=now,
        )
        done = timezone.now()
        with_mail = [r.pk for r in batch if unique_key(r) in created]
        if with_mail:  # each row points at its notification, found by the key it was written with (one UPDATE)
            own = Notification.objects.filter(
                unique_key=Concat(Value(UNIQUE_KEY_PREFIX), Cast(OuterRef("pk"), CharField()))
            ).values("pk")[:1]
            Reminder.objects.filter(pk__in=with_mail).update(
                state=ReminderState.SENT, done_at=done, notification_id=Subquery(own)
            )
        if handled:
            Reminder.objects.filter(pk__in=handled).update(state=ReminderState.SENT, done_at=done)
        skipped = [r.pk for r in batch if r.pk not in handled and unique_key(r) not in created]
        if skipped:
            Reminder.objects.filter(pk__in=skipped).update(state=ReminderState.SKIPPED, done_at=done)
    return len(batch)


def reminders_sweep(
    *, now: dt.datetime | None = None, batch: int = SWEEP_BATCH, budget_seconds: float = SWEEP_BUDGET_SECONDS
) -> int:
    """Turn every due pending reminder into a notification (or skip it), batch by batch, until none is due or the
    time budget is spent (the next sweep goes on). Returns how many rows were taken."""
    now = now or timezone.now()
    started = time.monotonic()
    taken = 0
    while time.monotonic() - started < budget_seconds:
        count = _sweep_batch(now, batch)
        taken += count
        if count < batch:
            break
    return taken
