"""One municipality's and one specialist's year, computed live by the database: each read is bounded by an index on
(municipality or specialist, fiscal year), so a page costs the same in a programme of 2,000 requests or 200,000."""

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


def _by_month(rows) -> list[int]:
    found = dict(rows)
    return [found.get(month, 0) for month in MONTHS]


def municipality_year(municipality, programme, fiscal_year: int) -> dict:
    """What a municipal DX lead shows the mayor: requests, visits, events attended and satisfaction for the year."""
    requests = Consultation.objects.filter(
        programme=programme, organisation=municipality, fiscal_year=fiscal_year
    ).exclude(status=Status.DRAFT)
    by_status = dict(requests.values("status").annotate(n=Count("id")).values_list("status", "n"))
    ratings = requests.aggregate(
        rated=Count("id", filter=Q(satisfaction__isnull=False)),
        satisfied=Count("id", filter=Q(satisfaction__in=SATISFIED)),
    )
    visits = Visit.objects.filter(municipality=municipality, fiscal_year=fiscal_year, status=TripStatus.DONE)
    by_mode = dict(visits.values("mode").annotate(n=Count("id")).values_list("mode", "n"))
    per_month = _by_month(
        visits.filter(mode=Mode.ONSITE)
        .annotate(month=ExtractMonth("day"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    start, end = fiscal_year_span(fiscal_year)
    attended = (
        Registration.objects.filter(
            municipality=municipality, event__starts_at__gte=start, event__starts_at__lt=end, attended=True
        )
        .exclude(event__status=EventStatus.CANCELLED)
        .values("event_id", "event__title", "event__starts_at")
        .annotate(people=Count("id"))
        .order_by("event__starts_at")
    )
    rated = ratings["rated"]
    return {
        "requests": sum(by_status.values()),
        "by_status": [
            (status, label, by_status.get(status, 0)) for status, label in Status.choices if status != Status.DRAFT
        ],
        "onsite": by_mode.get(Mode.ONSITE, 0),
        "online": by_mode.get(Mode.ONLINE, 0),
        "per_month": per_month,
        "events": [
            {"title": row["event__title"], "starts_at": row["event__starts_at"], "people": row["people"]}
            for row in attended[:50]
        ],
        "rated": rated,
        "satisfied": ratings["satisfied"],
        "percent": round(100 * ratings["satisfied"] / rated, 1) if rated else None,
    }


def specialist_year(specialist, fiscal_year: int, *, now: dt.datetime | None = None) -> dict:
    """A specialist's activity month by month: answers written, visits made, workshops organised; the open load."""
    now = now or timezone.now()
    start, end = fiscal_year_span(fiscal_year)
    tokyo = timezone.get_default_timezone()
    answers = _by_month(
        Message.objects.filter(
            author=specialist.user, kind=MessageKind.REPLY, created_at__gte=start, created_at__lt=end
        )
        .annotate(month=ExtractMonth("created_at", tzinfo=tokyo))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    visits = _by_month(
        Visit.objects.filter(specialist=specialist, fiscal_year=fiscal_year, status=TripStatus.DONE)
        .annotate(month=ExtractMonth("day"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    workshops = _by_month(
        Event.objects.filter(organisers=specialist.user, starts_at__gte=start, starts_at__lt=end, ends_at__lte=now)
        .exclude(status=EventStatus.CANCELLED)
        .annotate(month=ExtractMonth("starts_at", tzinfo=tokyo))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    open_load = Consultation.objects.filter(
        specialist=specialist, status__in=sorted(workflow.WORKLOAD_STATUSES)
    ).count()
    return {
        "answers": answers,
        "visits": visits,
        "workshops": workshops,
        "totals": {"answers": sum(answers), "visits": sum(visits), "workshops": sum(workshops)},
        "open_load": open_load,
    }
