"""Each member municipality's and each specialist's year, computed for the whole programme in a few grouped queries
(one per figure, grouped by municipality or specialist and month) when the snapshot is refreshed, and read back from
it by the pages: a municipality's or a specialist's page then costs one row, in a programme of 2,000 requests or
200,000 (measured live, the specialist's page read 20,000 messages a view at national scale)."""

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from consultations import workflow
from consultations.enums import MessageKind, Status
from consultations.models import Consultation, Message
from dxshare.fiscal import fiscal_year_span
from reports.figures import MONTHS, SATISFIED
from visits.enums import EventStatus, Mode, TripStatus
from visits.models import Event, Registration, Visit

EVENTS_LISTED = 50


def _months() -> list[int]:
    return [0] * len(MONTHS)


def _month_index(month: int) -> int:
    return MONTHS.index(month)


def municipalities_year(programme, fiscal_year: int) -> dict[str, dict]:
    """{municipality id: its requests by status, visits by mode and month, ratings, events attended}."""
    found: dict[str, dict] = {}

    def of(pk) -> dict:
        return found.setdefault(
            str(pk),
            {
                "by_status": {},
                "onsite": 0,
                "online": 0,
                "per_month": _months(),
                "rated": 0,
                "satisfied": 0,
                "events": [],
            },
        )

    requests = Consultation.objects.filter(programme=programme, fiscal_year=fiscal_year).exclude(status=Status.DRAFT)
    for pk, status, n in (
        requests.values("organisation_id", "status")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "status", "n")
    ):
        of(pk)["by_status"][status] = n
    for pk, rated, satisfied in (
        requests.values("organisation_id")
        .annotate(
            rated=Count("id", filter=Q(satisfaction__isnull=False)),
            satisfied=Count("id", filter=Q(satisfaction__in=SATISFIED)),
        )
        .values_list("organisation_id", "rated", "satisfied")
    ):
        of(pk)["rated"], of(pk)["satisfied"] = rated, satisfied
    visits = Visit.objects.filter(programme=programme, fiscal_year=fiscal_year, status=TripStatus.DONE)
    for pk, mode, month, n in (
        visits.annotate(month=ExtractMonth("day"))
        .values("municipality_id", "mode", "month")
        .annotate(n=Count("id"))
        .values_list("municipality_id", "mode", "month", "n")
    ):
        entry = of(pk)
        entry[mode] = entry.get(mode, 0) + n
        if mode == Mode.ONSITE:
            entry["per_month"][_month_index(month)] += n
    start, end = fiscal_year_span(fiscal_year)
    attended = (
        Registration.objects.filter(
            event__programme=programme, event__starts_at__gte=start, event__starts_at__lt=end, attended=True
        )
        .exclude(event__status=EventStatus.CANCELLED)
        .values("municipality_id", "event_id", "event__title", "event__starts_at")
        .annotate(people=Count("id"))
        .order_by("municipality_id", "event__starts_at")
    )
    for row in attended:
        events = of(row["municipality_id"])["events"]
        if len(events) < EVENTS_LISTED:
            events.append(
                {
                    "title": row["event__title"],
                    "starts_at": row["event__starts_at"].isoformat(),
                    "people": row["people"],
                }
            )
    return found


def specialists_year(programme, fiscal_year: int, *, now: dt.datetime | None = None) -> dict[str, dict]:
    """{specialist's user id: answers, visits and workshops by month; open requests}."""
    now = now or timezone.now()
    start, end = fiscal_year_span(fiscal_year)
    tokyo = timezone.get_default_timezone()
    found: dict[str, dict] = {}

    def of(pk) -> dict:
        return found.setdefault(
            str(pk), {"answers": _months(), "visits": _months(), "workshops": _months(), "open_load": 0}
        )

    answers = (
        Message.objects.filter(
            consultation__programme=programme,
            kind=MessageKind.REPLY,
            created_at__gte=start,
            created_at__lt=end,
            author__specialist__isnull=False,
        )
        .annotate(month=ExtractMonth("created_at", tzinfo=tokyo))
        .values("author_id", "month")
        .annotate(n=Count("id"))
        .values_list("author_id", "month", "n")
    )
    for pk, month, n in answers:
        of(pk)["answers"][_month_index(month)] += n
    visits = (
        Visit.objects.filter(programme=programme, fiscal_year=fiscal_year, status=TripStatus.DONE)
        .annotate(month=ExtractMonth("day"))
        .values("specialist__user_id", "month")
        .annotate(n=Count("id"))
        .values_list("specialist__user_id", "month", "n")
    )
    for pk, month, n in visits:
        of(pk)["visits"][_month_index(month)] += n
    workshops = (
        Event.objects.filter(programme=programme, starts_at__gte=start, starts_at__lt=end, ends_at__lte=now)
        .exclude(status=EventStatus.CANCELLED)
        .annotate(month=ExtractMonth("starts_at", tzinfo=tokyo))
        .values("organisers", "month")
        .annotate(n=Count("id"))
        .values_list("organisers", "month", "n")
    )
    for pk, month, n in workshops:
        if pk is not None:
            of(pk)["workshops"][_month_index(month)] += n
    load = (
        Consultation.objects.filter(programme=programme, status__in=sorted(workflow.WORKLOAD_STATUSES))
        .values("specialist__user_id")
        .annotate(n=Count("id"))
        .values_list("specialist__user_id", "n")
    )
    for pk, n in load:
        if pk is not None:
            of(pk)["open_load"] = n
    return found


def municipality_year(snapshot, municipality) -> dict:
    """One municipality's year from the snapshot (zeros if nothing happened there)."""
    entry = snapshot.details.get("municipalities", {}).get(str(municipality.pk), {})
    by_status = entry.get("by_status", {})
    rated, satisfied = entry.get("rated", 0), entry.get("satisfied", 0)
    return {
        "requests": sum(by_status.values()),
        "by_status": [(s, label, by_status.get(s, 0)) for s, label in Status.choices if s != Status.DRAFT],
        "onsite": entry.get(Mode.ONSITE, 0),
        "online": entry.get(Mode.ONLINE, 0),
        "per_month": entry.get("per_month", _months()),
        "events": [
            {**event, "starts_at": dt.datetime.fromisoformat(event["starts_at"])} for event in entry.get("events", [])
        ],
        "rated": rated,
        "satisfied": satisfied,
        "percent": round(100 * satisfied / rated, 1) if rated else None,
    }


def specialist_year(snapshot, specialist) -> dict:
    entry = snapshot.details.get("people", {}).get(str(specialist.user_id), {})
    answers, visits, workshops = (entry.get(key, _months()) for key in ("answers", "visits", "workshops"))
    return {
        "answers": answers,
        "visits": visits,
        "workshops": workshops,
        "totals": {"answers": sum(answers), "visits": sum(visits), "workshops": sum(workshops)},
        "open_load": entry.get("open_load", 0),
    }
