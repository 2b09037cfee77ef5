from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scope
from consultations.enums import Status
from dxshare.fiscal import current_fiscal_year
from municipalities.selectors import programmes_visible_to
from reports import selectors, services
from reports.forms import YearForm


def _months_shown(fiscal_year: int) -> int:
    """How many months of the year have begun (the burn-up's line stops there): all for a past year."""
    today = timezone.localdate()
    current = current_fiscal_year()
    if fiscal_year < current:
        return 12
    if fiscal_year > current:
        return 1
    return (today.month - 4) % 12 + 1


def requested_year(request) -> int:
    """The fiscal year asked for in `?year=`; the current one, with a message, when it cannot be shown."""
    form = YearForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("That fiscal year cannot be shown; here is the current one."))
        return current_fiscal_year()
    return (form.cleaned_data.get("year") if form.is_bound else None) or current_fiscal_year()


def manageable_programme(request, slug):
    """A programme the reader sees and manages (its centre, a site administrator): 404 outside, 403 inside."""
    programme = get_object_or_404(programmes_visible_to(request.user), slug=slug)
    if not scope.can_manage_programme(request.user, programme):
        raise PermissionDenied
    return programme


def _programme_for(request, slug):
    programme = get_object_or_404(programmes_visible_to(request.user), slug=slug)
    if not selectors.can_read_dashboard(request.user, programme):
        raise PermissionDenied
    return programme


@login_required
def dashboard(request, slug):
    """The programme's figures for a fiscal year beside the year before, for the centre and the prefecture."""
    programme = _programme_for(request, slug)
    form = YearForm(request.GET or None)
    fiscal_year = requested_year(request)
    snapshot = selectors.snapshot_of(programme, fiscal_year)
    if snapshot is None:  # first visit of this year: computed once, then refreshed by beat
        snapshot = services.snapshot_refresh(programme=programme, fiscal_year=fiscal_year)
    context = {
        "programme": programme,
        "fiscal_year": fiscal_year,
        "form": form,
        "snapshot": snapshot,
        "current": snapshot.data["current"],
        "previous": snapshot.data["previous"],
        "can_refresh": scope.can_manage_programme(request.user, programme),
        "years": list(range(current_fiscal_year(), current_fiscal_year() - 5, -1)),
        "months_shown": _months_shown(fiscal_year),
        "statuses": [(s, label) for s, label in Status.choices if s != Status.DRAFT],
    }
    return render(request, "reports/dashboard.html", context)


@login_required
@require_POST
def dashboard_refresh(request, slug):
    programme = _programme_for(request, slug)
    if not scope.can_manage_programme(request.user, programme):
        raise PermissionDenied
    form = YearForm(request.POST)
    fiscal_year = form.cleaned_data["year"] if form.is_valid() and form.cleaned_data["year"] else current_fiscal_year()
    services.snapshot_refresh(programme=programme, fiscal_year=fiscal_year)
    messages.success(request, _("The figures are up to date."))
    return redirect(reverse("reports:dashboard", args=[programme.slug]) + f"?year={fiscal_year}")
