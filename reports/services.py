"""Writes of reports: the programme's figures for a fiscal year, computed by the database and kept."""

import time

from django.utils import timezone

from dxshare.fiscal import current_fiscal_year
from municipalities.models import Programme
from reports.figures import year_figures
from reports.models import Snapshot
from reports.people import municipalities_year, specialists_year


def _beside_the_year_before(current: dict, previous: dict) -> None:
    """Each member's and domain's row carries the year before's figure, and each member its event attendance."""
    before = {m["id"]: m["onsite"] for m in previous["visits"]["by_municipality"]}
    attended = current["events"]["attended_by_municipality"]
    for member in current["visits"]["by_municipality"]:
        member["previous"] = before.get(member["id"], 0)
        member["attended"] = attended.get(str(member["id"]), 0)
    domains_before = {row["domain"]: row["onsite"] for row in previous["visits"]["by_domain"]}
    for row in current["visits"]["by_domain"]:
        row["previous"] = domains_before.get(row["domain"], 0)


def snapshot_refresh(*, programme, fiscal_year: int) -> Snapshot:
    """Compute a year's figures and the year before's (shown beside them) and keep them."""
    started = time.perf_counter()
    now = timezone.now()
    data = {
        "current": year_figures(programme, fiscal_year, now=now),
        "previous": year_figures(programme, fiscal_year - 1, now=now),
    }
    _beside_the_year_before(data["current"], data["previous"])
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
