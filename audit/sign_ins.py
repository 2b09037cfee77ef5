"""The security log (accounts.SecurityEvent) for the audit page: sign-ins, failures, sign-outs, password and
second-factor changes, newest first through keyset paging on (at, id); the centre head reads their programme's
people's, site administrators everyone's (failed sign-ins with an address nobody has included)."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from accounts import scope
from accounts.models import SecurityEvent
from dxshare.fiscal import start_of_day
from dxshare.paging import KeysetPage, paginate

ORDER = ("-at", "-id")
PAGE_SIZE = 50


@dataclass
class Filters:
    person_id: int | None = None
    kind: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def events_for(user, filters: Filters):
    if not scope.reads_audit(user):
        raise PermissionDenied
    queryset = scope.scope_queryset(
        SecurityEvent.objects.select_related("user", "actor"), user, programme="user__programme"
    )
    if filters.person_id:
        queryset = queryset.filter(user_id=filters.person_id)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.since:
        queryset = queryset.filter(at__gte=start_of_day(filters.since))
    if filters.until:
        queryset = queryset.filter(at__lt=start_of_day(filters.until + dt.timedelta(days=1)))
    return queryset


def page_for(user, filters: Filters, cursor: str | None) -> KeysetPage:
    return paginate(events_for(user, filters), ORDER, cursor, per_page=PAGE_SIZE, count_cap=1000)
