"""Exports: the request queue, visits, events with their attendance (CSV and .xlsx) and the council's fiscal-year
report (.xlsx, reports.council), each within the reader's scope and the page's filters.

The writers never hold a whole table: rows are read from the database in chunks (`values_list(...).iterator()`),
CSV lines are streamed to the client as they are written (StreamingHttpResponse), and workbooks are written by
openpyxl's write-only mode (rows go to a temporary file as they are appended) into a temporary file that is then
sent from disk (FileResponse).

Spreadsheets run text that looks like a formula (CSV/formula injection): every text cell that begins with = + - @, a
tab or a carriage return is written with a leading apostrophe (`neutralise`), so it is shown and never run; numbers,
dates and times stay typed values. Times are written in Asia/Tokyo, as the portal shows them.
"""

import csv
import datetime as dt
import itertools
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts import scope
from consultations.enums import Status, Urgency
from consultations.filters import ConsultationFilter
from consultations.selectors import COUNT_CAP, OWN_LIST_ORDER, consultations_visible_to
from consultations.views import FISCAL_YEARS_IN_FILTER  # the fiscal years the queue's filter offers
from dxshare import textsearch
from dxshare.fiscal import current_fiscal_year, fiscal_year_span, local_date
from municipalities.models import localised
from specialists.enums import Domain
from visits.enums import EventKind, Mode, RegistrationStatus, TripStatus
from visits.models import Event, Visit
from visits.selectors import Filters, events_visible_to, registrations_visible_to, trips_visible_to

CHUNK = 2000  # rows read from the database at a time
CSV_BLOCK = 64 * 1024  # characters of CSV sent to the client at a time
BOM = "\ufeff"  # tells Excel the file is UTF-8, so it shows Japanese
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
BOLD = Font(bold=True)
# openpyxl writes some 5,000 rows a second: a longer list would hold the request for more than ten seconds, so it is
# refused with a message pointing to CSV, which streams any number of rows.
XLSX_MAX_ROWS = 50_000
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Cells --------------------------------------------------------------------------------------------------------


def neutralise(value):
    """Text that a spreadsheet would run as a formula, written so that it is shown instead (a leading apostrophe);
    anything else (numbers, dates, other text) as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def local(value):
    """An aware datetime as the naive Asia/Tokyo time a spreadsheet shows (spreadsheets know no time zones)."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value, timezone.get_default_timezone()).replace(tzinfo=None)
    return value


def _text(value) -> str:
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return _text(value)


def xlsx_cell(sheet, value, *, bold: bool = False):
    """What a workbook row holds for `value`: a plain value where openpyxl types it right by itself (numbers, text
    that cannot be a formula, dates), a cell where it needs a format, a forced type or a bold font. Plain values are
    the fast path: a row of them is written without building a cell per value."""
    if isinstance(value, bool):
        value = _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=local(value))
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        if not bold:
            return value  # openpyxl writes a date cell formatted yyyy-mm-dd
        cell = WriteOnlyCell(sheet, value=value)
    elif value is None or isinstance(value, int | float):
        if not bold:
            return value
        cell = WriteOnlyCell(sheet, value=value)
    else:
        text = _text(value)  # never begins with "=": openpyxl would take it for a formula
        if not bold and text not in ERROR_CODES:
            return text
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # "#N/A" and friends are text here, not error values
    if bold:
        cell.font = BOLD
    return cell


# --- Writers ------------------------------------------------------------------------------------------------------


class Heading(tuple):
    """A row written in bold (a table's header, a section's title)."""


@dataclass
class Sheet:
    title: str
    rows: Iterable[Sequence]
    widths: Sequence[int] = ()
    freeze_header: bool = False


@dataclass
class Table:
    """One export: its file name (without the extension), its header and its rows (a generator, read once)."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[int] = field(default_factory=tuple)
    queryset: QuerySet | None = None  # what the rows are read from

    def too_long_for_xlsx(self) -> bool:
        """More rows than a workbook is written in reasonable time (a capped count: at most XLSX_MAX_ROWS + 1 read);
        CSV, which streams, takes any number."""
        return self.queryset is not None and self.queryset.order_by()[: XLSX_MAX_ROWS + 1].count() > XLSX_MAX_ROWS

    def sheet(self, title: str) -> Sheet:
        return Sheet(title, itertools.chain([Heading(self.header)], self.rows), self.widths, freeze_header=True)


class _Echo:
    """A file that hands back what is written to it: csv.writer then returns each line (Django's streaming CSV)."""

    def write(self, value):
        return value


def csv_lines(header: Sequence, rows: Iterable[Sequence]) -> Iterator[str]:
    """The byte-order mark, then one CSV line per row (the header first)."""
    writer = csv.writer(_Echo())
    yield BOM
    yield writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def _blocks(lines: Iterable[str]) -> Iterator[str]:
    """Lines gathered into blocks of about CSV_BLOCK characters (fewer, larger writes to the client)."""
    block, size = [], 0
    for line in lines:
        block.append(line)
        size += len(line)
        if size >= CSV_BLOCK:
            yield "".join(block)
            block, size = [], 0
    if block:
        yield "".join(block)


def _in_language(language: str, chunks: Iterable[str]) -> Iterator[str]:
    """Each chunk made in the reader's language: a streamed body is written after the view has returned."""
    chunks = iter(chunks)
    while True:
        with translation.override(language):
            try:
                chunk = next(chunks)
            except StopIteration:
                return
        yield chunk


def csv_response(table: Table) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _in_language(translation.get_language(), _blocks(csv_lines(table.header, table.rows))),
        content_type=CSV_TYPE,
    )
    response.headers["Content-Disposition"] = content_disposition_header(True, f"{table.name}.csv")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in str(title)).strip()[:31] or "Sheet"
    candidate, n = cleaned, 2
    while candidate.casefold() in taken:
        candidate = f"{cleaned[:28]} {n}"
        n += 1
    taken.add(candidate.casefold())
    return candidate


def write_xlsx(sheets: Iterable[Sheet], output) -> None:
    """A workbook of `sheets` written to the binary file `output`, row by row (openpyxl's write-only mode)."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=_sheet_title(sheet.title, taken))
        for index, width in enumerate(sheet.widths, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = width
        if sheet.freeze_header:
            worksheet.freeze_panes = "A2"
        for row in sheet.rows:
            bold = isinstance(row, Heading)
            worksheet.append([xlsx_cell(worksheet, value, bold=bold) for value in row])
    workbook.save(output)


def xlsx_response(name: str, sheets: Iterable[Sheet]) -> FileResponse:
    """The workbook written to a temporary file on disk and sent from it (the file goes when the response closes)."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    try:
        write_xlsx(sheets, output)
        output.seek(0)
    except BaseException:
        output.close()
        raise
    response = FileResponse(output, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX_TYPE)
    response.block_size = CSV_BLOCK
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _batched(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _file_name(template: str) -> str:
    return template % {"date": timezone.localdate().isoformat()}


# --- The request queue ----------------------------------------------------------------------------------------------


class BadFilters(Exception):
    """The page's filters do not validate: nothing is exported, the page says why."""

    def __init__(self, form):
        super().__init__(form.errors)
        self.form = form


def requests_for(user, data) -> QuerySet:
    """What the reader's consultation list shows, with its filters, in its order: municipal staff their
    municipality's requests (and their own drafts), optionally of one status; everyone else the queue, filtered by
    the queue's own FilterSet and search (consultations.filters, dxshare.textsearch). Confidential requests follow
    the one visibility rule (consultations.permissions.visible_filter), as on the page."""
    visible = consultations_visible_to(user)
    if scope.is_municipal(user):
        queryset = visible.filter(organisation_id=user.organisation_id)
        status = data.get("status", "")
        if status in Status.values:
            queryset = queryset.filter(status=status)
        return queryset.order_by(*OWN_LIST_ORDER)
    this_year = current_fiscal_year()
    filterset = ConsultationFilter(
        data or None,
        queryset=visible.exclude(status=Status.DRAFT),
        programme=user.programme if user.programme_id else None,
        fiscal_years=range(this_year, this_year - FISCAL_YEARS_IN_FILTER, -1),
        user=user,
    )
    if filterset.is_bound and not filterset.form.is_valid():
        raise BadFilters(filterset.form)
    ordering = filterset.keyset_ordering()
    found = textsearch.search(filterset.qs, filterset.search_query(), cap=COUNT_CAP, order=ordering)
    return found.queryset.order_by(*ordering)


REQUEST_COLUMNS = (
    "reference",
    "title",
    "confidential",
    "organisation__name",
    "organisation__name_en",
    "status",
    "specialist__domain",
    "urgency",
    "submitted_at",
    "answered_at",
    "closed_at",
    "specialist__user__full_name",
)


def _request_rows(queryset: QuerySet) -> Iterator[tuple]:
    statuses, domains, urgencies = _labels(Status.choices), _labels(Domain.choices), _labels(Urgency.choices)
    confidential_label = _("Confidential")
    for row in queryset.values_list(*REQUEST_COLUMNS).iterator(chunk_size=CHUNK):
        (reference, title, confidential, name, name_en, status, domain, urgency, submitted, answered, closed, who) = row
        yield (
            reference,
            title,
            confidential_label if confidential else "",
            localised(name or "", name_en or ""),
            statuses.get(status, status),
            domains.get(domain, "") if domain else "",
            urgencies.get(urgency, urgency),
            submitted,
            answered,
            closed,
            who or "",
        )


def requests_table(user, data) -> Table:
    """Raises BadFilters when the filters do not validate."""
    queryset = requests_for(user, data)
    return Table(
        queryset=queryset,
        name=_file_name(_("requests_%(date)s")),
        header=[
            _("Reference number"),
            _("Subject"),
            _("Confidential"),
            _("Municipality"),
            _("Status"),
            _("Domain"),
            _("Urgency"),
            _("Submitted at"),
            _("Answered at"),
            _("Closed at"),
            _("Specialist"),
        ],
        rows=_request_rows(queryset),
        widths=(16, 40, 10, 16, 14, 16, 16, 17, 17, 17, 16),
    )


# --- Visits -----------------------------------------------------------------------------------------------------------


def _in_fiscal_year(queryset: QuerySet, fiscal_year: int | None) -> QuerySet:
    if fiscal_year is None:
        return queryset
    start, end = fiscal_year_span(fiscal_year)
    return queryset.filter(starts_at__gte=start, starts_at__lt=end)


def trips_for(user, filters: Filters, fiscal_year: int | None = None) -> QuerySet:
    """The visits the reader's calendar shows with its filters (visits.selectors), optionally of one fiscal year."""
    return _in_fiscal_year(filters.trips(trips_visible_to(user)), fiscal_year).order_by("starts_at", "pk")


TRIP_COLUMNS = (
    "pk",
    "starts_at",
    "ends_at",
    "municipality__name",
    "municipality__name_en",
    "mode",
    "status",
    "purpose",
)


def visit_rows(trips: QuerySet) -> Iterator[tuple]:
    """One row per visit (trip), with its specialists' names: one more query per chunk of rows."""
    modes, statuses = _labels(Mode.choices), _labels(TripStatus.choices)
    separator = pgettext("list separator", ", ")
    for chunk in _batched(trips.values_list(*TRIP_COLUMNS).iterator(chunk_size=CHUNK), CHUNK):
        names = defaultdict(list)
        specialists = (
            Visit.objects.filter(trip_id__in=[row[0] for row in chunk])
            .order_by("trip_id", "id")
            .values_list("trip_id", "specialist__user__full_name")
        )
        for trip_id, name in specialists:
            names[trip_id].append(name)
        for pk, starts_at, ends_at, name, name_en, mode, status, purpose in chunk:
            yield (
                local_date(starts_at),
                starts_at,
                ends_at,
                localised(name, name_en),
                separator.join(names[pk]),
                modes.get(mode, mode),
                statuses.get(status, status),
                purpose,
            )


def visits_table(user, filters: Filters, fiscal_year: int | None = None) -> Table:
    trips = trips_for(user, filters, fiscal_year)
    return Table(
        name=_file_name(_("visits_%(date)s")),
        header=[
            _("Day"),
            _("Starts at"),
            _("Ends at"),
            _("Municipality"),
            _("Specialists"),
            _("On site or online"),
            _("Status"),
            _("Purpose"),
        ],
        rows=visit_rows(trips),
        queryset=trips,
        widths=(12, 17, 17, 16, 30, 14, 10, 40),
    )


# --- Events and attendance ------------------------------------------------------------------------------------------


def registrations_for(user, filters: Filters, fiscal_year: int | None = None) -> QuerySet:
    """Registrations (not cancelled) to the events the reader's calendar shows with its filters, as the event page
    shows them: every one to the centre, site administrators and an event's organisers; to everyone else those of
    their own local government. A municipality filter also keeps that municipality's registrations only."""
    events = _in_fiscal_year(filters.events(events_visible_to(user)), fiscal_year)
    registrations = registrations_visible_to(user).filter(event__in=events).exclude(status=RegistrationStatus.CANCELLED)
    if not (scope.is_site_admin(user) or scope.is_centre(user)):
        organised = Event.organisers.through.objects.filter(event_id=OuterRef("event_id"), user_id=user.pk)
        own_side = Q(municipality_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
        registrations = registrations.filter(own_side | Exists(organised))
    if filters.municipality:
        registrations = registrations.filter(municipality_id=filters.municipality)
    return registrations.order_by("event__starts_at", "event_id", "created_at", "pk")


REGISTRATION_COLUMNS = (
    "event__title",
    "event__kind",
    "event__starts_at",
    "municipality__name",
    "municipality__name_en",
    "user__full_name",
    "status",
    "attended",
)


def _registration_rows(registrations: QuerySet) -> Iterator[tuple]:
    kinds, statuses = _labels(EventKind.choices), _labels(RegistrationStatus.choices)
    attendance = {True: _("Attended"), False: _("Absent"), None: ""}
    for title, kind, starts_at, name, name_en, person, status, attended in registrations.values_list(
        *REGISTRATION_COLUMNS
    ).iterator(chunk_size=CHUNK):
        yield (
            title,
            kinds.get(kind, kind),
            starts_at,
            localised(name, name_en),
            person,
            statuses.get(status, status),
            attendance[attended],
        )


def events_table(user, filters: Filters, fiscal_year: int | None = None) -> Table:
    registrations = registrations_for(user, filters, fiscal_year)
    return Table(
        name=_file_name(_("event-attendance_%(date)s")),
        header=[
            _("Event"),
            _("Type"),
            _("Starts at"),
            _("Municipality"),
            _("Participant"),
            _("Status"),
            _("Attendance"),
        ],
        rows=_registration_rows(registrations),
        queryset=registrations,
        widths=(36, 14, 17, 16, 20, 16, 10),
    )
