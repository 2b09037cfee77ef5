"""Reads on the outbox."""

from django.db.models import Q, QuerySet

from accounts import scope
from notifications import registry
from notifications.models import Notification

RECENT_LIMIT = 10
OUTBOX_ORDER = ("-created_at", "-id")

# What the outbox page's state filter means, as conditions on a row.
STATES = {
    "sent": Q(sent_at__isnull=False),
    "pending": Q(sent_at__isnull=True, failed_at__isnull=True, attempts=0),
    "retrying": Q(sent_at__isnull=True, failed_at__isnull=True, attempts__gt=0),
    "failed": Q(failed_at__isnull=False, sent_at__isnull=True),
}


def notifications_recent_for(*, user, limit: int = RECENT_LIMIT) -> QuerySet[Notification]:
    """The person's own latest notifications, newest first (one query; nobody else's rows)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")[:limit]


def can_read_outbox(user) -> bool:
    """The programme's support centre and site administrators."""
    return scope.is_site_admin(user) or (scope.is_centre(user) and user.programme_id is not None)


def outbox_visible_to(user) -> QuerySet[Notification]:
    """Rows addressed to people of the reader's programme (a site administrator: everyone's)."""
    if not can_read_outbox(user):
        return Notification.objects.none()
    rows = Notification.objects.select_related("recipient")
    return scope.scope_queryset(rows, user, programme="recipient__programme")


def outbox_filtered(user, *, state: str = "", kind: str = "", recipient: str = "") -> QuerySet[Notification]:
    rows = outbox_visible_to(user)
    if state in STATES:
        rows = rows.filter(STATES[state])
    if kind:
        rows = rows.filter(kind=kind)
    if recipient:
        rows = rows.filter(Q(recipient__email__iexact=recipient) | Q(recipient__full_name=recipient))
    return rows


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.name, str(kind.label)) for kind in registry.all_kinds()]


def kind_label(name: str) -> str:
    kind = registry.get(name)
    return str(kind.label) if kind else name
