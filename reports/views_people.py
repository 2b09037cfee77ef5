"""One municipality's year and one specialist's year."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from accounts import scope
from dxshare.fiscal import current_fiscal_year
from municipalities.selectors import member_municipalities_visible_to
from reports import selectors, services
from reports.people import municipality_year, specialist_year
from reports.templatetags.reports_tags import month_labels
from reports.views import requested_year
from specialists.models import Specialist


def _snapshot(programme, fiscal_year: int):
    """The programme's figures for the year (computed once if nobody has opened that year yet)."""
    return selectors.snapshot_of(programme, fiscal_year, details=True) or services.snapshot_refresh(
        programme=programme, fiscal_year=fiscal_year
    )


@login_required
def municipality_figures(request, code):
    """A member municipality's year: its own staff, the programme's centre, specialists and prefecture see it."""
    municipality = get_object_or_404(member_municipalities_visible_to(request.user), code=code)
    programme = request.user.programme
    if programme is None:  # a site administrator: the municipality's programme
        programme = municipality.membership_set.select_related("programme").first().programme
    fiscal_year = requested_year(request)
    context = {
        "municipality": municipality,
        "programme": programme,
        "fiscal_year": fiscal_year,
        "snapshot": (snapshot := _snapshot(programme, fiscal_year)),
        "figures": municipality_year(snapshot, municipality),
        "months": month_labels(),
        "years": list(range(current_fiscal_year(), current_fiscal_year() - 5, -1)),
    }
    return render(request, "reports/municipality.html", context)


@login_required
def specialist_figures(request, pk):
    """A specialist's activity by month: for the specialist and the programme's centre."""
    specialists = scope.scope_queryset(
        Specialist.objects.select_related("user"), request.user, programme="user__programme"
    )
    specialist = get_object_or_404(specialists, pk=pk)
    if not (
        specialist.user_id == request.user.pk or scope.is_centre(request.user) or scope.is_site_admin(request.user)
    ):
        raise PermissionDenied
    fiscal_year = requested_year(request)
    context = {
        "specialist": specialist,
        "fiscal_year": fiscal_year,
        "snapshot": (snapshot := _snapshot(specialist.user.programme, fiscal_year)),
        "figures": specialist_year(snapshot, specialist),
        "months": month_labels(),
        "years": list(range(current_fiscal_year(), current_fiscal_year() - 5, -1)),
    }
    return render(request, "reports/specialist.html", context)
