"""Reads of visits and events, always within the reader's scope (accounts.scope).

| who                 | visits                                   | events                                        |
|---------------------|------------------------------------------|-----------------------------------------------|
| municipal staff     | their municipality's                     | the programme's events open to their municipality |
| prefecture staff    | the programme's                          | the programme's                               |
| specialists, centre | the programme's                          | the programme's                               |
| site administrators | every programme's                        | every programme's                             |

The fiscal-year visit count (`visit_count`) is the one function every page and report uses.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scope
from accounts.enums import Role
from accounts.models import User
from consultations import workflow
from consultations.models import Consultation
from consultations.selectors import consultations_visible_to
from dxshare.business_days import holiday_name
from dxshare.fiscal import start_of_day
from municipalities.communities import rule_includes
from municipalities.enums import Kind
from municipalities.models import Community, LocalGovernment, Region, localised
from specialists.models import Specialist
from visits.enums import Audience, EventStatus, Mode, RegistrationStatus, TripStatus
from visits.models import CalendarFeed, Event, FollowUp, Material, Registration, Trip, Visit

PER_DAY = 3  # items a month's day shows before "and N more"


# --- Scope --------------------------------------------------------------------------------------------------------


def trips_visible_to(user) -> QuerySet[Trip]:
    return scope.scope_queryset(Trip.objects.all(), user, programme="programme", organisation="municipality")


def open_to(organisation) -> Q:
    """Events whose audience includes this local government (a prefecture: the programme-wide ones)."""
    everyone = Q(audience=Audience.PROGRAMME)
    if organisation is None or organisation.kind == Kind.PREFECTURE:
        return everyone
    chosen = Event.municipalities.through.objects.filter(event_id=OuterRef("pk"), localgovernment_id=organisation.pk)
    condition = everyone | Q(audience=Audience.CHOSEN) & Exists(chosen)
    if organisation.region_id:
        condition |= Q(audience=Audience.REGION, region_id=organisation.region_id)
    if organisation.population is not None:
        condition |= Q(audience=Audience.POPULATION, population_below__gt=organisation.population)
    # A community's events: open to the municipalities its rule includes (municipalities.communities).
    condition |= Q(audience=Audience.COMMUNITY) & rule_includes(organisation, prefix="community__")
    return condition


def events_visible_to(user) -> QuerySet[Event]:
    events = scope.scope_queryset(Event.objects.all(), user, programme="programme")
    if scope.is_municipal(user):
        events = events.filter(open_to(user.organisation))
    return events


def follow_ups_visible_to(user) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(trip__in=trips_visible_to(user))


def registrations_visible_to(user) -> QuerySet[Registration]:
    return Registration.objects.filter(event__in=events_visible_to(user)).select_related("event", "user")


def materials_visible_to(user) -> QuerySet[Material]:
    return Material.objects.filter(event__in=events_visible_to(user))


def trip_visible_to(user, pk) -> Trip:
    return (
        trips_visible_to(user)
        .select_related("municipality", "programme", "created_by")
        .prefetch_related(
            Prefetch("visits", queryset=Visit.objects.select_related("specialist__user").order_by("id")),
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("owner")),
            "participants",
        )
        .get(pk=pk)
    )


def event_visible_to(user, pk) -> Event:
    return (
        events_visible_to(user)
        .select_related("programme", "region", "community")
        .prefetch_related("organisers", "municipalities", "materials")
        .get(pk=pk)
    )


# --- Counting -----------------------------------------------------------------------------------------------------


def visit_count(programme, fiscal_year: int, *, mode: str = Mode.ONSITE, municipality=None, specialist=None) -> int:
    """Visits made in a fiscal year (April–March, Asia/Tokyo) by the counting rule: one specialist × one municipality
    × one day; done visits only (planned ones have not happened, cancelled ones never count); on-site and online
    counted apart. Reads the visit_count_idx index: the programme's rows of that year, not the table."""
    visits = Visit.objects.filter(programme=programme, fiscal_year=fiscal_year, status=TripStatus.DONE, mode=mode)
    if municipality is not None:
        visits = visits.filter(municipality=municipality)
    if specialist is not None:
        visits = visits.filter(specialist=specialist)
    return visits.count()


# --- Calendars ----------------------------------------------------------------------------------------------------


@dataclass
class Filters:
    municipality: int | None = None
    specialist: int | None = None
    domain: str = ""
    kind: str = ""  # "visit", "online" or an EventKind

    def trips(self, trips: QuerySet[Trip]) -> QuerySet[Trip]:
        if self.kind and self.kind not in ("visit", "online"):
            return trips.none()
        if self.kind == "visit":
            trips = trips.filter(mode=Mode.ONSITE)
        elif self.kind == "online":
            trips = trips.filter(mode=Mode.ONLINE)
        if self.municipality:
            trips = trips.filter(municipality_id=self.municipality)
        if self.specialist:
            trips = trips.filter(Exists(Visit.objects.filter(trip=OuterRef("pk"), specialist_id=self.specialist)))
        if self.domain:
            trips = trips.filter(Exists(Visit.objects.filter(trip=OuterRef("pk"), specialist__domain=self.domain)))
        return trips

    def events(self, events: QuerySet[Event]) -> QuerySet[Event]:
        if self.kind in ("visit", "online"):
            return events.none()
        if self.kind:
            events = events.filter(kind=self.kind)
        if self.municipality:
            organisation = LocalGovernment.objects.filter(pk=self.municipality).first()
            events = events.filter(open_to(organisation))
        organisers = Event.organisers.through.objects.filter(event_id=OuterRef("pk"))
        if self.specialist:
            user_ids = Specialist.objects.filter(pk=self.specialist).values("user_id")
            events = events.filter(Exists(organisers.filter(user_id__in=user_ids)))
        if self.domain:
            user_ids = Specialist.objects.filter(domain=self.domain).values("user_id")
            events = events.filter(Exists(organisers.filter(user_id__in=user_ids)))
        return events


@dataclass
class Item:
    """One line of a calendar: a visit or an event."""

    kind: str  # "visit" or "event"
    obj: object
    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def day(self) -> dt.date:
        return timezone.localtime(self.starts_at).date()


@dataclass
class Day:
    date: dt.date
    items: list[Item] = field(default_factory=list)
    more: int = 0
    holiday: str = ""
    in_month: bool = True

    @property
    def weekend(self) -> bool:
        return self.date.weekday() >= 5


@dataclass
class TripLine:
    """A visit as a calendar shows it, read as plain values (a calendar holds a hundred of them: model instances with
    their municipality, visits, specialists and users cost more than the rest of the page)."""

    pk: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    mode: str
    status: str
    municipality_name: str
    municipality_name_en: str
    url: str = ""
    names: list[str] = field(default_factory=list)

    @property
    def is_cancelled(self) -> bool:
        return self.status == TripStatus.CANCELLED

    @property
    def is_done(self) -> bool:
        return self.status == TripStatus.DONE

    @property
    def municipality_display_name(self) -> str:
        return localised(self.municipality_name, self.municipality_name_en)

    def get_absolute_url(self) -> str:
        return self.url


TRIP_LINE_FIELDS = ("pk", "starts_at", "ends_at", "mode", "status", "municipality__name", "municipality__name_en")


def _trip_lines(trips: QuerySet[Trip]) -> list[TripLine]:
    """The rows of `trips` as TripLines, with their specialists' names (two queries, no model instances)."""
    lines = [TripLine(*row) for row in trips.values_list(*TRIP_LINE_FIELDS)]
    if lines:
        pattern = reverse("visits:visit", kwargs={"pk": 0})  # one reverse() for the lot: "/visits/0/"
        for line in lines:
            line.url = pattern.replace("/0/", f"/{line.pk}/")
        by_pk = {line.pk: line for line in lines}
        names = (
            Visit.objects.filter(trip_id__in=by_pk).order_by("id").values_list("trip_id", "specialist__user__full_name")
        )
        for trip_id, name in names:
            by_pk[trip_id].names.append(name)
    return lines


def _trips_between(user, start: dt.datetime, end: dt.datetime, filters: Filters) -> QuerySet[Trip]:
    return filters.trips(trips_visible_to(user)).filter(starts_at__gte=start, starts_at__lt=end)


def _events_between(user, start: dt.datetime, end: dt.datetime, filters: Filters) -> QuerySet[Event]:
    return filters.events(events_visible_to(user)).filter(starts_at__lt=end, ends_at__gt=start)


def _capped(queryset: QuerySet, per_day: int) -> QuerySet:
    """At most `per_day` rows per Tokyo day, in time order (a window function: the database does the cut)."""
    tokyo = timezone.get_current_timezone()
    numbered = queryset.annotate(
        n=Window(RowNumber(), partition_by=[TruncDate("starts_at", tzinfo=tokyo)], order_by=[F("starts_at"), F("pk")])
    )
    return numbered.filter(n__lte=per_day)


def _per_day_counts(queryset: QuerySet) -> dict[dt.date, int]:
    tokyo = timezone.get_current_timezone()
    rows = (
        queryset.order_by()
        .annotate(local_day=TruncDate("starts_at", tzinfo=tokyo))
        .values("local_day")
        .annotate(n=Count("pk"))
        .values_list("local_day", "n")
    )
    return dict(rows)


def month(user, year: int, month_number: int, filters: Filters) -> list[list[Day]]:
    """The weeks (Sunday first, as Japanese calendars print them) of a month, each day with up to PER_DAY items and
    the number left out. A fixed number of queries whatever the month holds."""
    first = dt.date(year, month_number, 1)
    grid_start = first - dt.timedelta(days=(first.weekday() + 1) % 7)
    following = dt.date(year + month_number // 12, month_number % 12 + 1, 1)
    grid_end = following + dt.timedelta(days=(6 - following.weekday()) % 7)
    start, end = start_of_day(grid_start), start_of_day(grid_end)
    trips = _trips_between(user, start, end, filters)
    events = _events_between(user, start, end, filters)
    counts = _per_day_counts(trips)
    days = {
        grid_start + dt.timedelta(days=n): Day(grid_start + dt.timedelta(days=n))
        for n in range((grid_end - grid_start).days)
    }
    for trip in _trip_lines(_capped(trips, PER_DAY)):
        day = days.get(timezone.localtime(trip.starts_at).date())
        if day is not None:
            day.items.append(Item("visit", trip, trip.starts_at, trip.ends_at))
    for day_date, total in counts.items():
        if day_date in days:
            days[day_date].more = max(0, total - len(days[day_date].items))
    for event in events.order_by("starts_at", "id")[:200]:
        local_start = max(timezone.localtime(event.starts_at).date(), grid_start)
        local_end = min(timezone.localtime(event.ends_at).date(), grid_end - dt.timedelta(days=1))
        current = local_start
        while current <= local_end:  # a camp shows on each of its days
            days[current].items.insert(0, Item("event", event, event.starts_at, event.ends_at))
            current += dt.timedelta(days=1)
    for day in days.values():
        day.in_month = day.date.month == month_number
        day.holiday = holiday_name(day.date)
    ordered = list(days.values())
    return [ordered[i : i + 7] for i in range(0, len(ordered), 7)]


WEEK_PER_DAY = 8  # a week's day shows this many visits before "and N more" (the list view has them all)


def between(user, first_day: dt.date, days: int, filters: Filters, *, limit: int = 300) -> tuple[list[Day], bool]:
    """Each day of a week with up to WEEK_PER_DAY visits (the database cuts them), the number left out, and the
    events."""
    start, end = start_of_day(first_day), start_of_day(first_day + dt.timedelta(days=days))
    in_range = _trips_between(user, start, end, filters)
    counts = _per_day_counts(in_range)
    trips = _trip_lines(_capped(in_range, WEEK_PER_DAY).order_by("starts_at", "id")[:limit])
    events = list(_events_between(user, start, end, filters).order_by("starts_at", "id")[:limit])
    result = {first_day + dt.timedelta(days=n): Day(first_day + dt.timedelta(days=n)) for n in range(days)}
    for trip in trips:
        day = result.get(timezone.localtime(trip.starts_at).date())
        if day is not None:
            day.items.append(Item("visit", trip, trip.starts_at, trip.ends_at))
    for event in events:
        current = max(timezone.localtime(event.starts_at).date(), first_day)
        last = min(timezone.localtime(event.ends_at).date(), first_day + dt.timedelta(days=days - 1))
        while current <= last:
            result[current].items.append(Item("event", event, event.starts_at, event.ends_at))
            current += dt.timedelta(days=1)
    for day in result.values():
        day.items.sort(key=lambda item: (item.starts_at, item.kind))
        day.holiday = holiday_name(day.date)
        day.more = max(0, counts.get(day.date, 0) - sum(item.kind == "visit" for item in day.items))
    truncated = len(trips) >= limit or len(events) >= limit
    return list(result.values()), truncated


LIST_LIMIT = 40  # items the list view shows at once; "Later" continues from the next day


def listing(user, first_day: dt.date, filters: Filters, *, limit: int = LIST_LIMIT) -> tuple[list[Day], dt.date | None]:
    """The list view: items from `first_day` on, at most `limit`, whole days only, and the day the next page starts
    (None at the end). It reads at most limit + 1 rows of each kind from the index, however busy the programme."""
    start = start_of_day(first_day)
    trips = _trip_lines(
        _trips_between(user, start, start_of_day(dt.date(9999, 1, 1)), filters).order_by("starts_at", "id")[: limit + 1]
    )
    events = list(
        filters.events(events_visible_to(user)).filter(starts_at__gte=start).order_by("starts_at", "id")[: limit + 1]
    )
    items = sorted(
        [Item("visit", t, t.starts_at, t.ends_at) for t in trips]
        + [Item("event", e, e.starts_at, e.ends_at) for e in events],
        key=lambda item: (item.starts_at, item.kind, item.obj.pk),
    )
    next_day = None
    if len(items) > limit:
        cut_day = items[limit].day
        shown = [item for item in items[:limit] if item.day < cut_day]
        if shown:
            items, next_day = shown, cut_day
        else:  # one day holds more than a page: show its first items and go on with the next day
            items, next_day = items[:limit], cut_day + dt.timedelta(days=1)
    days: dict[dt.date, Day] = {}
    for item in items:
        days.setdefault(item.day, Day(item.day)).items.append(item)
    for day in days.values():
        day.holiday = holiday_name(day.date)
    return list(days.values()), next_day


def filter_choices(user) -> tuple[list, list]:
    """The calendar filter's municipalities and specialists (two small queries)."""
    programme_id = user.programme_id
    if programme_id is None:
        return [], []
    if scope.is_municipal(user):
        municipalities = [(user.organisation_id, user.organisation.display_name)]
    else:
        municipalities = [
            (lg.pk, lg.display_name)
            for lg in LocalGovernment.objects.filter(membership__programme_id=programme_id).order_by("code")
        ]
    specialists = [
        (s.pk, s.user.full_name)
        for s in Specialist.objects.filter(user__programme_id=programme_id).select_related("user").order_by("domain")
    ]
    return municipalities, specialists


# --- Events -------------------------------------------------------------------------------------------------------


@dataclass
class EventPage:
    event: Event
    registered: list[Registration]  # those the reader may see: all for organisers and the centre, else their own side's
    waiting: list[Registration]
    registered_count: int
    waiting_count: int
    manages: bool  # organisers, the centre and site administrators take attendance and attach materials

    @property
    def places_left(self) -> int | None:
        if self.event.capacity is None:
            return None
        return max(0, self.event.capacity - self.registered_count)


def event_page(user, pk) -> EventPage:
    """An event with its registrations (bounded by its capacity and waiting list), in three queries."""
    event = event_visible_to(user, pk)
    registrations = list(
        event.registrations.exclude(status=RegistrationStatus.CANCELLED)
        .select_related("user", "municipality")
        .order_by("created_at", "id")
    )
    manages = scope.is_site_admin(user) or (
        event.programme_id == user.programme_id
        and (scope.is_centre(user) or any(o.pk == user.pk for o in event.organisers.all()))
    )
    shown = [
        r for r in registrations if manages or (user.organisation_id and r.municipality_id == user.organisation_id)
    ]
    return EventPage(
        event,
        [r for r in shown if r.status == RegistrationStatus.REGISTERED],
        [r for r in shown if r.status == RegistrationStatus.WAITING],
        sum(r.status == RegistrationStatus.REGISTERED for r in registrations),
        sum(r.status == RegistrationStatus.WAITING for r in registrations),
        manages,
    )


def upcoming_events(user, *, limit: int = 50) -> list[Event]:
    return list(
        events_visible_to(user)
        .filter(ends_at__gte=timezone.now())
        .exclude(status=EventStatus.CANCELLED)
        .order_by("starts_at", "id")[:limit]
    )


# --- Feeds --------------------------------------------------------------------------------------------------------


def load_trips(pks) -> list[Trip]:
    """Trips with what their calendar entry shows (municipality, specialists), in two queries."""
    return list(
        Trip.objects.filter(pk__in=pks)
        .select_related("municipality")
        .prefetch_related(Prefetch("visits", queryset=Visit.objects.select_related("specialist__user").order_by("id")))
    )


def feed_items(feed, start: dt.datetime, end: dt.datetime) -> tuple[QuerySet[Trip], QuerySet[Event]]:
    """What a calendar feed holds between start and end: for a person, the visits they make or take part in and the
    events they are registered for or organise; for a municipality, the visits to it and the events its staff are
    registered for. Querysets, in time order: visits.ical.feed reads only what changed since it last wrote it."""
    trips = Trip.objects.filter(starts_at__gte=start, starts_at__lt=end)
    events = Event.objects.filter(starts_at__gte=start, starts_at__lt=end)
    registered = Registration.objects.filter(event=OuterRef("pk"), status=RegistrationStatus.REGISTERED)
    if feed.user_id:
        user = feed.user
        if not scope.is_signed_in(user):
            return trips.none(), events.none()
        mine = Visit.objects.filter(trip=OuterRef("pk"), specialist__user=user)
        attended = Trip.participants.through.objects.filter(trip_id=OuterRef("pk"), user_id=user.pk)
        trips = trips.filter(Exists(mine) | Exists(attended)).filter(pk__in=trips_visible_to(user).values("pk"))
        organised = Event.organisers.through.objects.filter(event_id=OuterRef("pk"), user_id=user.pk)
        events = events.filter(Exists(registered.filter(user=user)) | Exists(organised)).filter(
            programme_id=user.programme_id
        )
    else:
        trips = trips.filter(municipality_id=feed.municipality_id, programme_id=feed.programme_id)
        events = events.filter(Exists(registered.filter(municipality_id=feed.municipality_id))).filter(
            programme_id=feed.programme_id
        )
    return trips.order_by("starts_at", "id"), events.order_by("starts_at", "id")


# --- What the forms offer, and what their choices name --------------------------------------------------------------


def _labelled(name: str, detail: str) -> str:
    return _("%(name)s (%(detail)s)") % {"name": name, "detail": detail}


def members_of(programme) -> list[tuple[int, str]]:
    return [
        (lg.pk, lg.display_name)
        for lg in LocalGovernment.objects.filter(membership__programme=programme).order_by("code")
    ]


def trip_form_choices(user, programme, *, consultation=None) -> dict[str, list[tuple[int, str]]]:
    """The visit form's municipalities, active specialists, the reader's open requests (latest 30, and the one the
    visit is planned from) and the programme's municipal staff: four queries."""
    specialists = [
        (s.pk, _labelled(s.user.full_name, s.get_domain_display()))
        for s in Specialist.objects.filter(user__programme=programme, user__is_active=True)
        .active_on(timezone.localdate())
        .select_related("user")
        .order_by("domain")
    ]
    open_requests = consultations_visible_to(user).filter(programme=programme, status__in=workflow.OPEN_STATUSES)
    consultations = [(c.pk, f"{c.reference} {c.title}") for c in open_requests.order_by("-submitted_at")[:30]]
    if consultation is not None and consultation.pk not in {pk for pk, _label in consultations}:
        consultations.insert(0, (consultation.pk, f"{consultation.reference} {consultation.title}"))
    participants = [
        (u.pk, _labelled(u.full_name, u.organisation.display_name))
        for u in User.objects.filter(programme=programme, role=Role.MUNICIPAL, is_active=True)
        .select_related("organisation")
        .order_by("organisation__code", "full_name")
    ]
    return {
        "municipalities": members_of(programme),
        "specialists": specialists,
        "consultations": consultations,
        "participants": participants,
    }


def trip_arguments(data: dict) -> dict:
    """The trip service's arguments from the visit form's cleaned data (the service checks that each belongs)."""
    return {
        "municipality": LocalGovernment.objects.get(pk=data["municipality"]),
        "specialists": list(Specialist.objects.filter(pk__in=data["specialists"]).select_related("user")),
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "mode": data["mode"],
        "purpose": data["purpose"],
        "agenda": data["agenda"],
        "place": data["place"],
        "consultations": list(Consultation.objects.filter(pk__in=data.get("consultations") or [])),
        "participants": list(User.objects.filter(pk__in=data["participants"])),
        "other_participants": data["other_participants"],
    }


def visible_request(user, pk: int):
    """A request the visit is planned from, if the planner may see it."""
    return consultations_visible_to(user).filter(pk=pk).first()


def requests_served(user, trip: Trip) -> list:
    """The requests a visit serves that this reader may see (a confidential one stays hidden from the others)."""
    return list(consultations_visible_to(user).filter(trips=trip).only("id", "reference", "title"))


def own_specialist(user) -> Specialist | None:
    return Specialist.objects.filter(user_id=user.pk).first()


def follow_up_owners(trip: Trip) -> list[tuple[int, str]]:
    """Who may own a follow-up action: the programme's specialists and centre, and the visited municipality's staff."""
    advisers = User.objects.filter(programme_id=trip.programme_id, is_active=True).exclude(
        role__in=[Role.MUNICIPAL, Role.PREFECTURE]
    )
    people = advisers | User.objects.filter(organisation_id=trip.municipality_id, role=Role.MUNICIPAL, is_active=True)
    return [(u.pk, u.full_name) for u in people.order_by("role", "full_name")]


def event_form_choices(programme) -> dict[str, list[tuple[int, str]]]:
    regions = [(r.pk, str(r)) for r in Region.objects.filter(prefecture_id=programme.prefecture_id).order_by("name")]
    organisers = [
        (u.pk, _labelled(u.full_name, u.get_role_display()))
        for u in User.objects.filter(
            programme=programme, is_active=True, role__in=[Role.SPECIALIST, Role.COORDINATOR, Role.CENTRE_HEAD]
        ).order_by("role", "full_name")
    ]
    communities = [(c.pk, c.name) for c in Community.objects.filter(programme=programme).order_by("name")]
    return {
        "regions": regions,
        "municipalities": members_of(programme),
        "organisers": organisers,
        "communities": communities,
    }


EVENT_FORM_FIELDS = ("kind", "title", "description", "venue", "online_url", "capacity", "audience", "population_below")


def event_arguments(data: dict) -> tuple[dict, list, list]:
    """The event service's fields, chosen municipalities and organisers from the event form's cleaned data."""
    fields = {key: data[key] for key in EVENT_FORM_FIELDS}
    fields |= {"starts_at": data["starts_at"], "ends_at": data["ends_at"]}
    fields["region"] = Region.objects.filter(pk=data["region"]).first() if data.get("region") else None
    fields["community"] = Community.objects.filter(pk=data["community"]).first() if data.get("community") else None
    chosen = list(LocalGovernment.objects.filter(pk__in=data["municipalities"]))
    return fields, chosen, list(User.objects.filter(pk__in=data["organisers"]))


def colleagues(user) -> list[tuple[int, str]]:
    """Whom organisation staff may register for an event: themselves and their organisation's colleagues."""
    if not scope.is_organisation_staff(user):
        return []
    people = User.objects.filter(organisation_id=user.organisation_id, programme_id=user.programme_id, is_active=True)
    return [
        (person.pk, person.full_name + (_("（you）") if person.pk == user.pk else ""))
        for person in people.order_by("full_name")
    ]


def person(pk: int) -> User | None:
    return User.objects.filter(pk=pk).first()


def feed_by_token(token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user", "municipality", "programme").filter(token=token).first()
