"""Lists too long to write as .xlsx while the person waits (more than exports.XLSX_MAX_ROWS rows): an ExportJob is
written, a worker builds the workbook on disk (openpyxl's write-only mode, row by row: memory stays flat), keeps it in
MEDIA_ROOT, and the person is e-mailed a link to their Exports page, where only they can download it."""

import datetime as dt
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import scope
from notifications.services import notification_schedule
from reports import exports
from reports.forms import YearForm
from reports.models import ExportJob, ExportStatus
from visits.forms import CalendarFilterForm
from visits.selectors import Filters, filter_choices

KINDS = ("requests", "visits", "events", "survey_answers", "library")
READY = "export.ready"
STALE_AFTER = dt.timedelta(minutes=20)  # a job "being prepared" for longer than its task may run was abandoned


def table_for(kind: str, user, data) -> exports.Table:
    """The same table the download would have written, rebuilt from the page's query string."""
    if kind == "requests":
        return exports.requests_table(user, data)
    if kind == "library":
        from reports.exports_library import library_table

        return library_table(user, data)
    if kind == "survey_answers":  # params: programme=<slug>&year=<fiscal year>, checked again for the owner
        from municipalities.selectors import programmes_visible_to
        from reports.exports_surveys import answers_table

        programme = programmes_visible_to(user).get(slug=data["programme"])
        if not scope.can_manage_programme(user, programme):
            raise PermissionError("no longer the programme's centre")
        return answers_table(programme, int(data["year"]))
    found, _forms = calendar_filters(user, data)
    if found is None:
        raise ValueError("filters no longer valid")
    build = exports.visits_table if kind == "visits" else exports.events_table
    return build(user, *found)


def calendar_filters(user, data):
    """The calendar's filters and an optional fiscal year (`year`) from a query string, and the two forms (both
    validated, so that each problem can be named); (None, forms) when they do not validate."""
    municipalities, specialists = filter_choices(user)
    form = CalendarFilterForm(data, municipalities=municipalities, specialists=specialists)
    year = YearForm(data)
    if not (form.is_valid() & year.is_valid()):
        return None, (form, year)
    filters = Filters(
        municipality=form.cleaned_data["municipality"],
        specialist=form.cleaned_data["specialist"],
        domain=form.cleaned_data["domain"],
        kind=form.cleaned_data["kind"],
    )
    return (filters, year.cleaned_data["year"]), (form, year)


TITLES = {
    "requests": "Requests",
    "visits": "Visits",
    "events": "Events",
    "survey_answers": "Survey answers",
    "library": "Library",
}


@transaction.atomic
def export_job_start(*, user, kind: str, params: str) -> ExportJob:
    """Queue a workbook; a worker builds it after commit."""
    from reports.tasks import build_export

    if kind not in KINDS:
        raise ValueError(kind)
    job = ExportJob.objects.create(user=user, kind=kind, params=params)
    transaction.on_commit(lambda: build_export.delay(job.pk), robust=True)
    return job


def export_job_build(*, job_id: int) -> bool:
    """Build one job's workbook (once: the job is claimed with a conditional UPDATE). True if this call built it."""
    now = timezone.now()
    claimed = (
        ExportJob.objects.filter(pk=job_id)
        .filter(Q(status=ExportStatus.PENDING) | Q(status=ExportStatus.RUNNING, started_at__lt=now - STALE_AFTER))
        .update(status=ExportStatus.RUNNING, started_at=now)
    )
    if not claimed:
        return False
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    user = job.user
    try:
        with translation.override(user.language):
            table = table_for(job.kind, user, QueryDict(job.params))
            count = table.queryset.count() if table.queryset is not None else None
            with tempfile.TemporaryFile() as output:
                exports.write_xlsx([table.sheet(_(TITLES[job.kind]))], output)
                output.seek(0)
                job.file.save(f"{table.name}.xlsx", File(output), save=False)
    except Exception as error:  # noqa: BLE001 (recorded on the job and shown to its owner)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=f"{type(error).__name__}: {error}", finished_at=timezone.now()
        )
        return False
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, file=job.file.name, rows=count, finished_at=timezone.now()
    )
    url = settings.SITE_URL + reverse("reports:my_exports")
    with translation.override(user.language):
        notification_schedule(
            recipient=user,
            kind=READY,
            subject=_("[dxshare] Your Excel file is ready"),
            body=_("The list you asked for is ready. Download it from your exports page:") + f"\n{url}\n",
            url=url,
            unique_key=f"{READY}:{job.pk}",
        )
    return True


def exports_of(user, limit: int = 20):
    return ExportJob.objects.filter(user=user).order_by("-created_at", "-pk")[:limit]
