"""Writes of reports: the programme's figures for a fiscal year, computed by the database and kept."""

import time

from django.utils import timezone

from dxshare.fiscal import current_fiscal_year
from municipalities.models import Programme
from reports.figures import year_figures
from reports.models import Snapshot
from reports.people import municipalities_year, specialists_year


def snapshot_refresh(*, programme, fiscal_year: int) -> Snapshot:
    """Compute a year's figures and the year before's (shown beside them) and keep them."""
    started = time.perf_counter()
    now = timezone.now()
    data = {
        "current": year_figures(programme, fiscal_year, now=now),
        "previous": year_figures(programme, fiscal_year - 1, now=now),
    }
    # Each municipality's and specialist's year, for their pages (reports.people), in a column of their own.
    details = {
        "municipalities": municipalities_year(programme, fiscal_year),
        "people": specialists_year(programme, fiscal_year, now=now),
    }
    snapshot, _created = Snapshot.objects.update_or_create(
        programme=programme,
        fiscal_year=fiscal_year,
        defaults={
            "computed_at": now,
            "data": data,
            "details": details,
            "seconds": round(time.perf_counter() - started, 3),
        },
    )
    return snapshot


def snapshots_refresh_current() -> int:
    """Every few minutes (beat): this fiscal year's figures of every programme."""
    fiscal_year = current_fiscal_year()
    count = 0
    for programme in Programme.objects.order_by("pk"):
        snapshot_refresh(programme=programme, fiscal_year=fiscal_year)
        count += 1
    return count
