"""A programme's figures for one fiscal year, each computed by the database (counts, groupings, medians and
percentiles in SQL); Python only arranges the few rows that come back (twelve months, five domains, the members).

The visit count is visits.selectors.visit_count's rule (done, on site, one specialist × one municipality × one day),
read through the same index; the dashboard's test checks that both agree.
"""

import datetime as dt

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import ExtractMonth, TruncDate
from django.utils import timezone

from accounts.enums import Role
from consultations.enums import MessageKind, Status
from consultations.models import Consultation, Message, Routing
from dxshare.business_days import business_day_ordinal
from dxshare.fiscal import fiscal_year_span
from municipalities.models import Membership, ProgrammeTarget
from reports.models import SATISFIED_SCORES, BusinessDay
from reports.surveys import year_rates as survey_year_rates
from specialists.enums import Domain
from specialists.models import Specialist
from visits.enums import EventStatus, Mode, RegistrationStatus, TripStatus
from visits.models import Event, Registration, Visit

MONTHS = [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]  # a Japanese fiscal year, April to March
ANSWERING_ROLES = [Role.SPECIALIST, Role.COORDINATOR, Role.CENTRE_HEAD]
SATISFIED = SATISFIED_SCORES  # 4 or 5 of 5
SATISFACTION_BAR = 80  # per cent of 4–5 ratings: the model programme's bar


class PercentileCont(Aggregate):
    """PostgreSQL's PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY expression): the linearly interpolated percentile."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, percentile: float, **extra):
        super().__init__(expression, percentile=float(percentile), **extra)


def ensure_calendar(first: dt.date, last: dt.date) -> None:
    """The business-day calendar covers first..last (rows are added once; a day's ordinal never changes unless the
    holidays do, and then `manage.py refresh_business_days` rewrites them)."""
    have = BusinessDay.objects.filter(day__gte=first, day__lte=last).count()
    days = (last - first).days + 1
    if have < days:
        BusinessDay.objects.bulk_create(
            [
                BusinessDay(
                    day=first + dt.timedelta(days=n), ordinal=business_day_ordinal(first + dt.timedelta(days=n))
                )
                for n in range(days)
            ],
            ignore_conflicts=True,
        )


def _ordinal_of(day_field: str):
    """The business-day ordinal of the (Tokyo) day in `day_field` (a correlated lookup in the calendar table)."""
    return Subquery(
        BusinessDay.objects.filter(day=OuterRef(day_field)).values("ordinal")[:1], output_field=IntegerField()
    )


def percentiles(queryset, expression, points=(0.5, 0.9)) -> list[float | None]:
    """Percentiles of `expression` over `queryset`, by the database on PostgreSQL (PERCENTILE_CONT). The quick start's
    SQLite has no such aggregate: there the same interpolation runs over the values it returns."""
    queryset = queryset.annotate(_value=expression).filter(_value__isnull=False)
    if connection.vendor == "postgresql":
        found = queryset.aggregate(**{f"p{i}": PercentileCont("_value", p) for i, p in enumerate(points)})
        return [found[f"p{i}"] for i in range(len(points))]
    values = sorted(queryset.values_list("_value", flat=True))
    if not values:
        return [None for _ in points]
    if len(values) == 1:
        return [float(values[0]) for _ in points]
    return [_interpolated(values, p) for p in points]


def _interpolated(values: list, p: float) -> float:
    position = (len(values) - 1) * p
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return float(values[low] + (values[high] - values[low]) * (position - low))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _visits(programme, fiscal_year: int) -> dict:
    year = Visit.objects.filter(programme=programme, fiscal_year=fiscal_year)
    done = year.filter(status=TripStatus.DONE)
    by_mode = dict(done.values("mode").annotate(n=Count("id")).values_list("mode", "n"))
    onsite = done.filter(mode=Mode.ONSITE)
    per_month = dict(
        onsite.annotate(month=ExtractMonth("day")).values("month").annotate(n=Count("id")).values_list("month", "n")
    )
    planned = year.filter(status=TripStatus.PLANNED, mode=Mode.ONSITE).count()
    by_municipality = dict(onsite.values("municipality_id").annotate(n=Count("id")).values_list("municipality_id", "n"))
    by_domain = dict(onsite.values("specialist__domain").annotate(n=Count("id")).values_list("specialist__domain", "n"))
    by_specialist = {
        specialist_id: {"name": name, "domain": domain, "onsite": n}
        for specialist_id, name, domain, n in onsite.values("specialist_id")
        .annotate(n=Count("id"))
        .values_list("specialist_id", "specialist__user__full_name", "specialist__domain", "n")
    }
    members = [
        {"id": lg_id, "code": code, "name": name, "name_en": name_en, "onsite": by_municipality.get(lg_id, 0)}
        for lg_id, code, name, name_en in Membership.objects.filter(programme=programme)
        .order_by("municipality__code")
        .values_list("municipality_id", "municipality__code", "municipality__name", "municipality__name_en")
    ]
    running, cumulative = 0, []
    for month in MONTHS:
        running += per_month.get(month, 0)
        cumulative.append(running)
    return {
        "onsite": by_mode.get(Mode.ONSITE, 0),
        "online": by_mode.get(Mode.ONLINE, 0),
        "planned_onsite": planned,
        "per_month": [per_month.get(month, 0) for month in MONTHS],
        "cumulative": cumulative,
        "by_municipality": members,
        "not_visited": [m for m in members if m["onsite"] == 0],
        "by_domain": [{"domain": d, "onsite": by_domain.get(d, 0)} for d in Domain.values],
        "by_specialist": sorted(by_specialist.values(), key=lambda s: (-s["onsite"], s["name"])),
    }


def _requests(programme, fiscal_year: int) -> dict:
    year = Consultation.objects.filter(programme=programme, fiscal_year=fiscal_year).exclude(status=Status.DRAFT)
    by_status = dict(year.values("status").annotate(n=Count("id")).values_list("status", "n"))
    grid = {}
    for domain, status, n in (
        year.values("specialist__domain", "status")
        .annotate(n=Count("id"))
        .values_list("specialist__domain", "status", "n")
    ):
        grid.setdefault(domain or "", {})[status] = n
    answered = year.filter(answered_at__isnull=False).count()
    open_statuses = [Status.SUBMITTED, Status.ROUTED, Status.IN_PROGRESS, Status.WAITING]
    first_routing = Routing.objects.filter(consultation=OuterRef("pk")).order_by("routed_at").values("routed_at")[:1]
    first_answer = (
        Message.objects.filter(consultation=OuterRef("pk"), kind=MessageKind.REPLY, author__role__in=ANSWERING_ROLES)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    tokyo = timezone.get_default_timezone()
    timed = year.annotate(
        first_routed_at=Subquery(first_routing, output_field=DateTimeField()),
        first_answer_at=Subquery(first_answer, output_field=DateTimeField()),
    ).annotate(
        submitted_day=TruncDate("submitted_at", tzinfo=tokyo),
        routed_day=TruncDate("first_routed_at", tzinfo=tokyo),
        answer_day=TruncDate("first_answer_at", tzinfo=tokyo),
    )
    submitted = _ordinal_of("submitted_day")
    to_routing = percentiles(timed, _ordinal_of("routed_day") - submitted)
    to_answer = percentiles(timed, _ordinal_of("answer_day") - submitted)
    rated = year.filter(satisfaction__isnull=False)
    ratings = rated.aggregate(rated=Count("id"), satisfied=Count("id", filter=Q(satisfaction__in=SATISFIED)))
    closed_answered = year.filter(status=Status.CLOSED, answered_at__isnull=False).count()
    return {
        "received": sum(by_status.values()),
        "answered": answered,
        "open": sum(by_status.get(s, 0) for s in open_statuses),
        "by_status": {s: by_status.get(s, 0) for s in Status.values if s != Status.DRAFT},
        "by_domain": [
            {"domain": d, "statuses": grid.get(d, {}), "total": sum(grid.get(d, {}).values())}
            for d in [*Domain.values, ""]
        ],
        "to_routing": {"median": _round(to_routing[0]), "p90": _round(to_routing[1])},
        "to_first_answer": {"median": _round(to_answer[0]), "p90": _round(to_answer[1])},
        "rated": ratings["rated"],
        "satisfied": ratings["satisfied"],
        "closed_answered": closed_answered,
    }


def _events(programme, fiscal_year: int, now: dt.datetime) -> dict:
    start, end = fiscal_year_span(fiscal_year)
    held = Event.objects.filter(programme=programme, starts_at__gte=start, starts_at__lt=end, ends_at__lte=now).exclude(
        status=EventStatus.CANCELLED
    )
    by_kind = dict(held.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    attended = Registration.objects.filter(event__in=held, attended=True)
    by_municipality = dict(
        attended.values("municipality_id").annotate(n=Count("id")).values_list("municipality_id", "n")
    )
    registered = Registration.objects.filter(event__in=held, status=RegistrationStatus.REGISTERED).count()
    return {
        "held": sum(by_kind.values()),
        "by_kind": by_kind,
        "registered": registered,
        "attended": sum(by_municipality.values()),
        "attended_by_municipality": {str(k): v for k, v in by_municipality.items()},
    }


def year_figures(programme, fiscal_year: int, *, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    start, end = fiscal_year_span(fiscal_year)
    ensure_calendar(timezone.localdate(start) - dt.timedelta(days=7), timezone.localdate(end) + dt.timedelta(days=400))
    requests = _requests(programme, fiscal_year)
    rated, closed = requests["rated"], requests["closed_answered"]
    return {
        "fiscal_year": fiscal_year,
        "visits": _visits(programme, fiscal_year),
        "requests": requests,
        "satisfaction": {
            "rated": rated,
            "satisfied": requests["satisfied"],
            "percent": round(100 * requests["satisfied"] / rated, 1) if rated else None,
            "response_rate": round(100 * rated / closed, 1) if closed else None,
            "bar": SATISFACTION_BAR,
            # The surveys after visits, events and requests and at the year end (reports.surveys), by kind and in
            # all; a request counts once, by its answer rating if it has one (the keys above), else its survey.
            "surveys": survey_year_rates(programme, fiscal_year),
        },
        "events": _events(programme, fiscal_year, now),
        "targets": dict(
            ProgrammeTarget.objects.filter(programme=programme, fiscal_year=fiscal_year).values_list("metric", "value")
        ),
        "specialists": Specialist.objects.filter(user__programme=programme).count(),
    }
