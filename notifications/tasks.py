"""Thin tasks: ids in, services called. Each is safe to run twice, by two workers at once: the services claim rows
before sending, and the sweep takes rows with SKIP LOCKED.

Every task has a hard time limit; the outbox's claims expire just after it (services.claim_timeout), so a row held
by a worker that was killed is sent again by the next sweep. Retries are not Celery countdowns parked in Redis: a
failed send pushes the row's `next_attempt_at` back in PostgreSQL, and the sweep picks it up when it is due.
"""

import datetime as dt

from celery import shared_task
from django.conf import settings

from notifications import services

SEND_LIMITS = {
    "time_limit": settings.NOTIFICATION_SEND_TIME_LIMIT,
    "soft_time_limit": settings.NOTIFICATION_SEND_TIME_LIMIT - 10,
}


@shared_task(name="notifications.send_notification", acks_late=True, **SEND_LIMITS)
def send_notification(notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id)


@shared_task(name="notifications.send_digest", acks_late=True, **SEND_LIMITS)
def send_digest(recipient_id: int, cutoff: str | None = None) -> bool:
    """One person's digest: every row waiting for them (written up to `cutoff`, ISO 8601), in one e-mail."""
    now = dt.datetime.fromisoformat(cutoff) if cutoff else None
    return services.digest_send_to(recipient_id=recipient_id, now=now)


@shared_task(name="notifications.send_digests", acks_late=True, time_limit=300)
def send_digests() -> int:
    """Daily (beat): hand each person who chose the digest to send_digest."""
    return services.digests_send()


@shared_task(name="notifications.sweep", acks_late=True, time_limit=120, soft_time_limit=100)
def sweep() -> dict:
    """Every minute (beat): due reminders become notifications; due notifications go to the workers."""
    return services.outbox_sweep()
