"""Reads of reports, within the reader's scope."""

from accounts import scope
from accounts.enums import Role
from reports.models import Snapshot

FIRST_YEAR, LAST_YEAR = 2000, 2100


def can_read_dashboard(user, programme) -> bool:
    """The programme's centre (coordinators, the centre head), its prefecture's staff and site administrators."""
    if scope.is_site_admin(user):
        return True
    if user.programme_id != programme.pk:
        return False
    return scope.is_centre(user) or user.role == Role.PREFECTURE


def snapshot_of(programme, fiscal_year: int, *, details: bool = False) -> Snapshot | None:
    """The programme's figures for the year: the programme's own (the dashboard, the council report), or each
    member's and specialist's (`details`, their pages); the other part is left unread."""
    rows = Snapshot.objects.filter(programme=programme, fiscal_year=fiscal_year)
    return rows.defer("data" if details else "details").first()
