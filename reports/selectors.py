"""Reads of reports, within the reader's scope."""

from accounts import scope
from reports.models import Snapshot

FIRST_YEAR, LAST_YEAR = 2000, 2100


def can_read_dashboard(user, programme) -> bool:
    return scope.reads_figures(user, programme)


def snapshot_of(programme, fiscal_year: int, *, details: bool = False) -> Snapshot | None:
    """The programme's figures for the year: the programme's own (the dashboard, the council report), or each
    member's and specialist's (`details`, their pages); the other part is left unread."""
    rows = Snapshot.objects.filter(programme=programme, fiscal_year=fiscal_year)
    return rows.defer("data" if details else "details").first()
