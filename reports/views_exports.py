"""Downloads: the request queue, visits and events with attendance as CSV or .xlsx, with the filters of the page the
link sits on; the council's fiscal-year report as .xlsx. Filters that do not validate export nothing: the page they
came from opens again with a message (and its own error summary)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dxshare.forms import error_links
from reports import background, council, exports, exports_surveys, selectors, services
from reports.models import ExportJob, ExportStatus
from reports.selectors import FIRST_YEAR, LAST_YEAR
from reports.views import _programme_for, manageable_programme
from visits.selectors import Filters

FORMATS = ("csv", "xlsx")


def _respond(request, table: exports.Table, fmt: str, sheet_title: str, back: str, kind: str = "", params=None):
    if fmt == "csv":
        return exports.csv_response(table)
    if table.too_long_for_xlsx():
        # Too long to write while the person waits: a worker writes it; a link arrives by e-mail.
        params = request.GET.urlencode() if params is None else params
        background.export_job_start(user=request.user, kind=kind, params=params)
        messages.info(
            request,
            _(
                "This list has more than %(count)s rows: the Excel file is being prepared. You will receive an "
                "e-mail when it is ready, and find it here."
            )
            % {"count": f"{exports.XLSX_MAX_ROWS:,}"},
        )
        return redirect("reports:my_exports")
    return exports.xlsx_response(table.name, [table.sheet(sheet_title)])


@login_required
@require_GET
def my_exports(request):
    """The person's own Excel files prepared in the background (nobody else's)."""
    return render(request, "reports/exports.html", {"jobs": background.exports_of(request.user)})


@login_required
@require_GET
def export_download(request, pk):
    job = get_object_or_404(ExportJob, pk=pk, user=request.user, status=ExportStatus.DONE)
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.file.name.rsplit("/", 1)[-1].split("-", 1)[-1],
        content_type=exports.XLSX_TYPE,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _say_why(request, what: str, *forms) -> None:
    """Nothing is exported: say so, and what is wrong with each filter."""
    problems = [message for form in forms for _anchor, _label, message in error_links(form)]
    messages.error(request, " ".join([what, *problems]))


def _back(url: str, request) -> str:
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


@login_required
@require_GET
def requests_export(request, fmt):
    """The consultation list as the reader sees it (their scope, the page's filters, search and order)."""
    try:
        table = exports.requests_table(request.user, request.GET)
    except exports.BadFilters as bad:
        _say_why(request, _("The list could not be exported: correct the filters and try again."), bad.form)
        return redirect(_back(reverse("consultations:list"), request))
    return _respond(request, table, fmt, _("Requests"), _back(reverse("consultations:list"), request), "requests")


@login_required
@require_GET
def library_export(request, fmt):
    """The knowledge library as the reader may read it, with the library page's filters and search."""
    from reports.exports_library import library_table

    back = _back(reverse("knowledge:library"), request)
    try:
        table = library_table(request.user, request.GET)
    except exports.BadFilters as bad:
        _say_why(request, _("The library could not be exported: correct the search and try again."), bad.form)
        return redirect(back)
    return _respond(request, table, fmt, _("Library"), back, "library")


def _calendar_filters(request) -> tuple[Filters, int | None] | None:
    """The calendar's filters and an optional fiscal year; None, with a message, when they do not validate."""
    found, forms = background.calendar_filters(request.user, request.GET)
    if found is None:
        _say_why(request, _("The calendar could not be exported: correct the filters and try again."), *forms)
    return found


@login_required
@require_GET
def visits_export(request, fmt):
    """The visits of the reader's calendar, with its filters, optionally of one fiscal year."""
    found = _calendar_filters(request)
    if found is None:
        return redirect(_back(reverse("visits:calendar"), request))
    table = exports.visits_table(request.user, *found)
    return _respond(request, table, fmt, _("Visits"), _back(reverse("visits:calendar"), request), "visits")


@login_required
@require_GET
def events_export(request, fmt):
    """The registrations and attendance of the events of the reader's calendar, with its filters."""
    found = _calendar_filters(request)
    if found is None:
        return redirect(_back(reverse("visits:calendar"), request))
    table = exports.events_table(request.user, *found)
    return _respond(request, table, fmt, _("Events"), _back(reverse("visits:calendar"), request), "events")


@login_required
@require_GET
def council_report(request, slug, year):
    """The council's report of a fiscal year: for those who read the programme's dashboard."""
    programme = _programme_for(request, slug)
    if not selectors.FIRST_YEAR <= year <= selectors.LAST_YEAR:
        messages.error(
            request,
            _("There is no report for that fiscal year: choose one from %(first)s to %(last)s.")
            % {"first": selectors.FIRST_YEAR, "last": selectors.LAST_YEAR},
        )
        return redirect("reports:dashboard", programme.slug)
    snapshot = selectors.snapshot_of(programme, year)
    if snapshot is None:  # a year nobody has opened yet: computed once and kept, as the dashboard does
        snapshot = services.snapshot_refresh(programme=programme, fiscal_year=year)
    return exports.xlsx_response(
        council.council_report_name(programme, year), council.council_report_sheets(programme, snapshot)
    )


@login_required
@require_GET
def survey_answers_export(request, slug, year, fmt):
    """A fiscal year's survey answers, comments included: for the programme's centre."""
    programme = manageable_programme(request, slug)
    back = reverse("reports:programme_surveys", args=[programme.slug])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        messages.error(request, _("That fiscal year cannot be shown; here is the current one."))
        return redirect(back)
    table = exports_surveys.answers_table(programme, year)
    if fmt not in FORMATS:
        raise Http404
    params = urlencode({"programme": programme.slug, "year": year})
    return _respond(request, table, fmt, _("Survey answers"), f"{back}?year={year}", "survey_answers", params)
