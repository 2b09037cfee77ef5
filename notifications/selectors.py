"""Reads on the outbox."""

from django.db.models import QuerySet

from notifications.models import Notification

RECENT_LIMIT = 10


def notifications_recent_for(*, user, limit: int = RECENT_LIMIT) -> QuerySet[Notification]:
    """The person's own latest notifications, newest first (one query; nobody else's rows)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")[:limit]
