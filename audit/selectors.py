"""Reading the audit trail: the history tables of dxshare.history, merged newest first, scoped and filtered.

Each tracked model keeps its own `…History` table; a page reads the newest rows of each (one query per table, through
its (time, id) index, limited to a page), merges them, and keeps a page's worth. The cursor is the last row's
(time, table rank, id), so that the next page starts exactly after it in the merged order. Every row gets the snapshot
before it of the same object (a subquery through the (object, id) index), so a change shows its old and new values.

Who sees what: site administrators every programme's trail, the centre head their programme's (requests and all under
them, visits, events, people, specialists, memberships and the programme itself). Nobody else."""

import base64
import datetime as dt
import json
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import F, JSONField, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import scope
from dxshare.fiscal import start_of_day

PAGE_SIZE = 50
EXPORT_MAX = 10_000


@dataclass(frozen=True)
class Trail:
    key: str
    label: object
    model: str  # "app_label.ModelHistory"
    programme: str  # the path from a history row to its programme (accounts.scope.scope_queryset)

    @property
    def history(self):
        return apps.get_model(self.model)


TRAILS = [
    Trail("consultation", _("Request"), "consultations.ConsultationHistory", "programme"),
    Trail("message", _("Message"), "consultations.MessageHistory", "consultation__programme"),
    Trail("routing", _("Routing"), "consultations.RoutingHistory", "consultation__programme"),
    Trail("attachment", _("Attachment"), "consultations.AttachmentHistory", "consultation__programme"),
    Trail("trip", _("Visit trip"), "visits.TripHistory", "programme"),
    Trail("visit", _("Visit"), "visits.VisitHistory", "programme"),
    Trail("event", _("Event"), "visits.EventHistory", "programme"),
    Trail("user", _("Person"), "accounts.UserHistory", "programme"),
    Trail("specialist", _("Specialist"), "specialists.SpecialistHistory", "user__programme"),
    Trail("membership", _("Membership"), "municipalities.MembershipHistory", "programme"),
    Trail("programme", _("Programme"), "municipalities.ProgrammeHistory", "pgh_obj"),
]
BY_KEY = {trail.key: trail for trail in TRAILS}
RANK = {trail.key: rank for rank, trail in enumerate(TRAILS)}


@dataclass
class Filters:
    person_id: int | None = None
    trail: str = ""
    object_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass
class Entry:
    trail: Trail
    at: dt.datetime
    label: str
    object_id: int
    pk: int
    snapshot: dict
    before: dict | None
    context: dict
    person: object = None
    changes: list = field(default_factory=list)

    @property
    def cursor_key(self):
        return (self.at, RANK[self.trail.key], self.pk)


def _tracked_fields(history) -> list:
    return [f for f in history._meta.concrete_fields if not f.name.startswith("pgh_")]


def _scoped(user, trail: Trail):
    if not scope.reads_audit(user):
        raise PermissionDenied
    return scope.scope_queryset(trail.history.objects.all(), user, programme=trail.programme)


def _contexts_of(person_id: int):
    Context = apps.get_model("pghistory", "Context")
    return Context.objects.annotate(person=KT("metadata__user")).filter(person=str(person_id)).values("id")


def _filtered(queryset, filters: Filters):
    if filters.person_id:
        queryset = queryset.filter(pgh_context_id__in=_contexts_of(filters.person_id))
    if filters.object_id:
        queryset = queryset.filter(pgh_obj_id=filters.object_id)
    if filters.since:
        queryset = queryset.filter(pgh_created_at__gte=start_of_day(filters.since))
    if filters.until:
        queryset = queryset.filter(pgh_created_at__lt=start_of_day(filters.until + dt.timedelta(days=1)))
    return queryset


def _after_cursor(queryset, rank: int, cursor):
    """Rows after the cursor in the merged order (time, rank, id), all descending."""
    if cursor is None:
        return queryset
    at, cursor_rank, pk = cursor
    if rank < cursor_rank:
        return queryset.filter(pgh_created_at__lte=at)
    if rank > cursor_rank:
        return queryset.filter(pgh_created_at__lt=at)
    return queryset.filter(Q(pgh_created_at__lt=at) | Q(pgh_created_at=at, pgh_id__lt=pk))


def _with_before(queryset, history):
    fields = {f.attname: F(f.attname) for f in _tracked_fields(history)}
    previous = history.objects.filter(pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id")).order_by(
        "-pgh_id"
    )
    return queryset.annotate(
        before=Subquery(previous.annotate(row=JSONObject(**fields)).values("row")[:1], output_field=JSONField())
    )


def entries(user, filters: Filters, *, cursor=None, limit: int = PAGE_SIZE) -> tuple[list[Entry], tuple | None]:
    """One page of the trail, newest first, and the cursor of the next page (None at the end)."""
    trails = [BY_KEY[filters.trail]] if filters.trail in BY_KEY else TRAILS
    found: list[Entry] = []
    for trail in trails:
        history = trail.history
        queryset = _after_cursor(_filtered(_scoped(user, trail), filters), RANK[trail.key], cursor)
        rows = _with_before(queryset.select_related("pgh_context"), history).order_by("-pgh_created_at", "-pgh_id")
        names = [f.attname for f in _tracked_fields(history)]
        for row in rows[: limit + 1]:
            found.append(
                Entry(
                    trail=trail,
                    at=row.pgh_created_at,
                    label=row.pgh_label,
                    object_id=row.pgh_obj_id,
                    pk=row.pgh_id,
                    snapshot={name: getattr(row, name) for name in names},
                    before=row.before,
                    context=row.pgh_context.metadata if row.pgh_context_id else {},
                )
            )
    found.sort(key=lambda entry: entry.cursor_key, reverse=True)
    page, more = found[:limit], len(found) > limit
    _describe(page)
    return page, (page[-1].cursor_key if more and page else None)


def _describe(page: list[Entry]) -> None:
    """Who did it (one query for the people) and what changed, in the reader's words."""
    from accounts.models import User

    people = User.objects.in_bulk({e.context.get("user") for e in page if e.context.get("user")})
    for entry in page:
        entry.person = people.get(entry.context.get("user"))
        entry.changes = _changes(entry)


def _display(field, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    choices = dict(field.flatchoices) if field.choices else {}
    if isinstance(value, (str, int)) and value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def _same(old, new) -> bool:
    """The previous snapshot comes back as JSON (dates as text, decimals as numbers): compare as text."""
    if isinstance(new, dt.datetime) and isinstance(old, str):
        try:
            return dt.datetime.fromisoformat(old) == new
        except ValueError:
            return False
    if isinstance(new, (dict, list)) or isinstance(old, (dict, list)):
        return old == new
    return str(old) == str(new) if not isinstance(new, bool) else old == new


def _changes(entry: Entry) -> list[tuple[str, str, str]]:
    history = entry.trail.history
    rows = []
    for f in _tracked_fields(history):
        new = entry.snapshot.get(f.attname)
        if entry.label == "changed" and entry.before is not None:
            old = entry.before.get(f.attname)
            if _same(old, new):
                continue
            old_text = _display(f, _parse(f, old))
        elif entry.label == "changed":
            old_text = "?"
        else:
            old_text = ""
        if entry.label == "created" and (new is None or new == ""):
            continue
        rows.append((str(f.verbose_name), old_text, _display(f, new)))
    return rows


def _parse(field, value):
    from django.db import models

    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def encode_cursor(cursor) -> str:
    if cursor is None:
        return ""
    at, rank, pk = cursor
    raw = json.dumps([at.isoformat(), rank, pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str):
    """A cursor from the address, or None if it is missing or not one of ours (the list starts from the newest)."""
    if not text:
        return None
    try:
        at, rank, pk = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        return dt.datetime.fromisoformat(at), int(rank), int(pk)
    except (ValueError, TypeError):
        return None
