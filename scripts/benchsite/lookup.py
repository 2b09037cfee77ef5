"""Run inside `manage.py shell` against one bench database: print, as one JSON line, what the benchmark's page
addresses need at this size (ids and cursors) and a signed-in session cookie for each benchmark user.

    manage.py shell -c "from benchsite.lookup import main; main()"
"""

import json
import sys
from urllib.parse import quote

USERS = [
    "coordinator@nat-38.bench.example",
    "prefecture@nat-38.bench.example",
    "data@nat-38.bench.example",
    "staff-382019@nat-38.bench.example",
]
PROGRAMME_SLUG = "nat-38"
QUEUE_ORDER = ("-submitted_at", "-id")  # the queue's default sort (consultations.filters.ORDERINGS["newest"])


def values() -> tuple[dict[str, str], list[str]]:
    from django.db.models import Count

    from consultations.enums import Status
    from consultations.models import Consultation
    from dxshare.paging import KeysetPaginator

    requests = Consultation.objects.filter(programme__slug=PROGRAMME_SLUG)
    queue = requests.exclude(status=Status.DRAFT).order_by(*QUEUE_ORDER)
    found, problems = {}, []
    count = queue.count()
    if count:
        paginator = KeysetPaginator(queue, QUEUE_ORDER)
        middle = queue[count // 2]  # an OFFSET: fine in a benchmark, not in a page
        found["deep_cursor"] = quote(paginator._cursor("after", middle), safe="")
        found["last_cursor"] = quote(paginator.cursor_for_last(), safe="")
    else:
        problems.append("the queue is empty (no deep or last page)")
    newest = ("-submitted_at", "-id")
    answered = requests.filter(status=Status.ANSWERED).order_by(*newest)
    detail = answered.annotate(n=Count("messages")).filter(n__gte=2).first() or answered.first()
    busiest = requests.exclude(status=Status.DRAFT).annotate(n=Count("messages")).order_by("-n", "-id").first()
    submitted = requests.filter(status=Status.SUBMITTED).order_by(*newest).first()
    for key, row, problem in (
        ("answered_pk", detail, "no answered request (detail)"),
        ("busiest_pk", busiest, "no submitted request at all (detail, long thread)"),
        ("submitted_pk", submitted, "no request with status submitted (route)"),
    ):
        if row is None:
            problems.append(problem)
        else:
            found[key] = str(row.pk)
    visit_values(found, problems)
    report_values(found, problems)
    return found, problems


def visit_values(found: dict, problems: list) -> None:
    """The calendar's day (today), a visit and an event of the busiest municipality, and its feed's token."""
    from django.utils import timezone

    from municipalities.models import LocalGovernment
    from visits.models import CalendarFeed, Event, Trip

    found["calendar_day"] = timezone.localdate().isoformat()
    busiest = LocalGovernment.objects.filter(membership__programme__slug=PROGRAMME_SLUG).order_by("code").first()
    trip = Trip.objects.filter(municipality=busiest, programme__slug=PROGRAMME_SLUG).order_by("-starts_at").first()
    event = Event.objects.filter(programme__slug=PROGRAMME_SLUG).order_by("-starts_at").first()
    if trip is None or event is None:
        problems.append("no visit or event in nat-38 (fill_national --visits/--events)")
        return
    found["busy_trip_pk"] = str(trip.pk)
    found["event_pk"] = str(event.pk)
    feed, _created = CalendarFeed.objects.get_or_create(municipality=busiest, programme=trip.programme)
    found["feed_token"] = feed.token


def report_values(found: dict, problems: list) -> None:
    """The fiscal year the busiest municipality's visits fall in, its code and the busiest specialist; the
    dashboard's figures for that year computed once (beat keeps them fresh in production)."""
    from django.db.models import Count

    from municipalities.models import Programme
    from reports.services import snapshot_refresh
    from visits.models import Visit

    programme = Programme.objects.get(slug=PROGRAMME_SLUG)
    busiest = (
        Visit.objects.filter(programme=programme)
        .values("fiscal_year", "municipality__code", "specialist_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    from knowledge.models import Item

    item = Item.objects.filter(programme=programme, status="published").order_by("-published_at").first()
    if item is not None:
        found["library_item_pk"] = str(item.pk)
    else:
        problems.append("no library item in nat-38 (fill_national --library)")
    if busiest is None:
        problems.append("no visit in nat-38: no figures to show")
        return
    found["report_year"] = str(busiest["fiscal_year"])
    found["report_municipality"] = busiest["municipality__code"]
    found["report_specialist_pk"] = str(busiest["specialist_id"])
    snapshot = snapshot_refresh(programme=programme, fiscal_year=busiest["fiscal_year"])
    found["report_seconds"] = str(snapshot.seconds)


def cookies() -> dict[str, str]:
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    found = {}
    for user in User.objects.filter(email__in=USERS):
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        found[user.email] = f"{name}={client.cookies[name].value}"
    return found


def main() -> None:
    found, problems = values()
    sys.stdout.write(json.dumps({"values": found, "problems": problems, "cookies": cookies()}) + "\n")
