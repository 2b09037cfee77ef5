"""Writes on visits and events: atomic, validated, and refused with a message in the user's language that changes
nothing. Planning returns hints (a specialist already booked, a holiday, a municipality not yet visited this year)
that warn without blocking."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import scope
from consultations.selectors import consultations_visible_to
from consultations.uploads import CheckedFile
from dxshare.business_days import holiday_name
from dxshare.fiscal import fiscal_year_of, local_date
from municipalities.models import Membership
from notifications.services import notification_schedule
from specialists.models import Specialist
from visits import reminders, selectors
from visits.enums import Audience, EventStatus, Mode, RegistrationStatus, TripStatus
from visits.models import CalendarFeed, Event, FollowUp, Material, Registration, Trip, Visit, new_token

# --- Who may do what ----------------------------------------------------------------------------------------------


def can_plan(user, programme) -> bool:
    """Specialists plan their visits (and a colleague's, travelling together); the centre plans for them."""
    if scope.is_site_admin(user):
        return True
    return user.programme_id == programme.pk and (scope.is_specialist(user) or scope.is_centre(user))


def can_change_trip(user, trip: Trip) -> bool:
    if not can_plan(user, trip.programme):
        return False
    if scope.is_centre(user) or scope.is_site_admin(user):
        return True
    return any(visit.specialist.user_id == user.pk for visit in trip.visits.all())


def manages_event(user, event: Event) -> bool:
    if scope.is_site_admin(user):
        return True
    if event.programme_id != user.programme_id:
        return False
    return scope.is_centre(user) or event.organisers.filter(pk=user.pk).exists()


# --- Visits -------------------------------------------------------------------------------------------------------


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime, field="ends_at") -> None:
    if ends_at <= starts_at:
        raise ValidationError({field: _("The end must be after the start.")})


def _check_members(programme, municipality) -> None:
    if not Membership.objects.filter(programme=programme, municipality=municipality).exists():
        raise ValidationError({"municipality": _("Choose a member municipality of this programme.")})


def _sync_visits(trip: Trip, specialists: list[Specialist]) -> None:
    """One visit row per specialist on the trip, carrying the trip's day, mode and status; refused (nothing saved)
    when a specialist already has a visit to that municipality on that day."""
    day = local_date(trip.starts_at)
    wanted = {s.pk: s for s in specialists}
    trip.visits.exclude(specialist_id__in=wanted).delete()
    for specialist in specialists:
        try:
            with transaction.atomic():
                Visit.objects.update_or_create(
                    trip=trip,
                    specialist=specialist,
                    defaults={
                        "programme_id": trip.programme_id,
                        "municipality_id": trip.municipality_id,
                        "day": day,
                        "fiscal_year": fiscal_year_of(day),
                        "mode": trip.mode,
                        "status": trip.status,
                    },
                )
        except IntegrityError as clash:
            raise ValidationError(
                {
                    "specialists": _(
                        "%(specialist)s already has a visit to %(municipality)s on %(day)s: one specialist visits "
                        "one municipality once a day. Edit that visit instead."
                    )
                    % {
                        "specialist": specialist.user.full_name,
                        "municipality": trip.municipality.display_name,
                        "day": day.isoformat(),
                    }
                }
            ) from clash


def _check_trip(by, programme, municipality, specialists, consultations, participants) -> None:
    _check_members(programme, municipality)
    if not specialists:
        raise ValidationError({"specialists": _("Choose at least one specialist.")})
    today = timezone.localdate()
    for specialist in specialists:
        if specialist.user.programme_id != programme.pk or not specialist.user.is_active:
            raise ValidationError({"specialists": _("Choose specialists of this programme.")})
        if not specialist.is_active_on(today):
            raise ValidationError({"specialists": _("%(name)s is not active.") % {"name": specialist.user.full_name}})
    visible = set(
        consultations_visible_to(by).filter(pk__in=[c.pk for c in consultations]).values_list("pk", flat=True)
    )
    for consultation in consultations:
        if consultation.pk not in visible or consultation.organisation_id != municipality.pk:
            raise ValidationError({"consultations": _("Choose requests of the municipality you visit.")})
    for person in participants:
        if person.organisation_id != municipality.pk:
            raise ValidationError({"participants": _("Choose participants from the municipality you visit.")})


def hints(trip: Trip) -> list[str]:
    """What a planner should know, without being stopped: a specialist booked at the same time, a weekend or a
    public holiday, a municipality not yet visited this fiscal year."""
    found = []
    if trip.is_cancelled:
        return found
    clashes = (
        Visit.objects.filter(
            specialist__in=[v.specialist_id for v in trip.visits.all()],
            # The days the trip spans first, so that the (specialist, day) index reads a few rows.
            day__gte=local_date(trip.starts_at),
            day__lte=local_date(trip.ends_at),
            trip__starts_at__lt=trip.ends_at,
            trip__ends_at__gt=trip.starts_at,
        )
        .exclude(trip=trip)
        .exclude(status=TripStatus.CANCELLED)
        .select_related("specialist__user", "trip__municipality")
    )
    for clash in clashes:
        found.append(
            _("%(specialist)s is already booked at that time: %(purpose)s (%(municipality)s).")
            % {
                "specialist": clash.specialist.user.full_name,
                "purpose": clash.trip.purpose,
                "municipality": clash.trip.municipality.display_name,
            }
        )
    day = local_date(trip.starts_at)
    holiday = holiday_name(day)
    if holiday:
        found.append(_("%(day)s is a public holiday (%(name)s).") % {"day": day.isoformat(), "name": holiday})
    elif day.weekday() >= 5:
        found.append(_("%(day)s is a weekend day.") % {"day": day.isoformat()})
    if trip.mode == Mode.ONSITE:
        others = Visit.objects.filter(
            programme_id=trip.programme_id,
            municipality_id=trip.municipality_id,
            fiscal_year=fiscal_year_of(day),
            mode=Mode.ONSITE,
        ).exclude(trip=trip)
        if not others.exclude(status=TripStatus.CANCELLED).exists():
            found.append(
                _("%(municipality)s has had no visit yet this fiscal year: this is its first.")
                % {"municipality": trip.municipality.display_name}
            )
    return found


@transaction.atomic
def trip_plan(
    *,
    by,
    programme,
    municipality,
    specialists: list[Specialist],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    mode: str = Mode.ONSITE,
    purpose: str,
    agenda: str = "",
    place: str = "",
    consultations=(),
    participants=(),
    other_participants: str = "",
) -> tuple[Trip, list[str]]:
    """Plan a visit: one trip, one visit row per specialist. Returns the trip and the hints to show."""
    if not can_plan(by, programme):
        raise PermissionDenied
    _check_times(starts_at, ends_at)
    _check_trip(by, programme, municipality, list(specialists), list(consultations), list(participants))
    trip = Trip.objects.create(
        programme=programme,
        municipality=municipality,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        purpose=purpose.strip(),
        agenda=agenda.strip(),
        place=place.strip(),
        other_participants=other_participants.strip(),
        created_by=by,
    )
    trip.consultations.set(consultations)
    trip.participants.set(participants)
    _sync_visits(trip, list(specialists))
    reminders.plan_trip(trip)
    return trip, hints(trip)


def _locked(trip: Trip) -> Trip:
    return Trip.objects.select_for_update().select_related("programme", "municipality").get(pk=trip.pk)


@transaction.atomic
def trip_update(*, by, trip: Trip, specialists: list[Specialist], consultations=(), participants=(), **fields):
    """Change a planned visit (times, mode, specialists, …): the calendars see a new SEQUENCE."""
    trip = _locked(trip)
    if not can_change_trip(by, trip):
        raise PermissionDenied
    if trip.is_cancelled:
        raise ValidationError(_("A cancelled visit cannot be changed."))
    for name, value in fields.items():
        setattr(trip, name, value.strip() if isinstance(value, str) else value)
    _check_times(trip.starts_at, trip.ends_at)
    _check_trip(by, trip.programme, trip.municipality, list(specialists), list(consultations), list(participants))
    trip.sequence = F("sequence") + 1
    trip.save()
    trip.refresh_from_db()
    trip.consultations.set(consultations)
    trip.participants.set(participants)
    _sync_visits(trip, list(specialists))
    reminders.plan_trip(trip)
    return trip, hints(trip)


@transaction.atomic
def trip_mark_done(*, by, trip: Trip, outcome: str) -> Trip:
    trip = _locked(trip)
    if not can_change_trip(by, trip):
        raise PermissionDenied
    if trip.is_cancelled:
        raise ValidationError(_("A cancelled visit cannot be marked done."))
    if trip.starts_at > timezone.now():
        raise ValidationError(_("A visit that has not started yet cannot be marked done."))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Write what came out of the visit.")})
    Trip.objects.filter(pk=trip.pk).update(
        status=TripStatus.DONE, outcome=outcome.strip(), sequence=F("sequence") + 1, updated_at=timezone.now()
    )
    Visit.objects.filter(trip=trip).update(status=TripStatus.DONE)
    trip.refresh_from_db()
    reminders.plan_trip(trip)
    return trip


@transaction.atomic
def trip_cancel(*, by, trip: Trip, reason: str) -> Trip:
    trip = _locked(trip)
    if not can_change_trip(by, trip):
        raise PermissionDenied
    if trip.is_cancelled:
        raise ValidationError(_("The visit is already cancelled."))
    if trip.is_done:
        raise ValidationError(_("A visit that took place cannot be cancelled."))
    if not reason.strip():
        raise ValidationError({"reason": _("Write why the visit is cancelled.")})
    Trip.objects.filter(pk=trip.pk).update(
        status=TripStatus.CANCELLED, cancel_reason=reason.strip(), sequence=F("sequence") + 1, updated_at=timezone.now()
    )
    Visit.objects.filter(trip=trip).update(status=TripStatus.CANCELLED)
    trip.refresh_from_db()
    reminders.plan_trip(trip)
    return trip


@transaction.atomic
def follow_up_add(*, by, trip: Trip, description: str, owner, due_on: dt.date) -> FollowUp:
    trip = _locked(trip)
    if not can_change_trip(by, trip):
        raise PermissionDenied
    if owner is None:
        raise ValidationError({"owner": _("Choose who owns the action.")})
    if not description.strip():
        raise ValidationError({"description": _("Describe the action.")})
    if owner.programme_id != trip.programme_id or not owner.is_active:
        raise ValidationError({"owner": _("Choose somebody of this programme.")})
    if scope.is_municipal(owner) and owner.organisation_id != trip.municipality_id:
        raise ValidationError({"owner": _("Choose somebody of the municipality visited, a specialist or the centre.")})
    if due_on is None:
        raise ValidationError({"due_on": _("Enter the due date.")})
    follow_up = FollowUp.objects.create(trip=trip, description=description.strip(), owner=owner, due_on=due_on)
    reminders.plan_follow_up(follow_up)
    return follow_up


@transaction.atomic
def follow_up_done(*, by, follow_up: FollowUp) -> FollowUp:
    follow_up = FollowUp.objects.select_for_update().select_related("trip").get(pk=follow_up.pk)
    if follow_up.owner_id != by.pk and not can_change_trip(by, follow_up.trip):
        raise PermissionDenied
    if follow_up.done_at is None:
        follow_up.done_at = timezone.now()
        follow_up.save(update_fields=["done_at"])
        reminders.plan_follow_up(follow_up)
    return follow_up


# --- Events -------------------------------------------------------------------------------------------------------


def _check_event(programme, fields: dict, municipalities) -> None:
    _check_times(fields["starts_at"], fields["ends_at"])
    audience = fields.get("audience", Audience.PROGRAMME)
    if audience == Audience.REGION and not fields.get("region"):
        raise ValidationError({"region": _("Choose the region.")})
    if audience == Audience.REGION and fields["region"].prefecture_id != programme.prefecture_id:
        raise ValidationError({"region": _("Choose a region of this prefecture.")})
    if audience == Audience.POPULATION and not fields.get("population_below"):
        raise ValidationError({"population_below": _("Enter the population limit.")})
    if audience == Audience.COMMUNITY:
        community = fields.get("community")
        if community is None:
            raise ValidationError({"community": _("Choose the community.")})
        if community.programme_id != programme.pk:
            raise ValidationError({"community": _("Choose a community of this programme.")})
    if audience == Audience.CHOSEN:
        if not municipalities:
            raise ValidationError({"municipalities": _("Choose at least one municipality.")})
        members = set(Membership.objects.filter(programme=programme).values_list("municipality_id", flat=True))
        if any(m.pk not in members for m in municipalities):
            raise ValidationError({"municipalities": _("Choose member municipalities of this programme.")})
    if fields.get("online_url") and not fields["online_url"].startswith("https://"):
        raise ValidationError({"online_url": _("The online link must start with https://.")})


EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "venue",
    "online_url",
    "starts_at",
    "ends_at",
    "capacity",
    "audience",
    "region",
    "population_below",
    "community",
)


def _audience_fields(fields: dict) -> dict:
    """Only the audience's own setting is kept: an event opened to a community has no region, and so on."""
    if "audience" not in fields:
        return fields
    audience = fields["audience"]
    return {
        **fields,
        "region": fields.get("region") if audience == Audience.REGION else None,
        "population_below": fields.get("population_below") if audience == Audience.POPULATION else None,
        "community": fields.get("community") if audience == Audience.COMMUNITY else None,
    }


@transaction.atomic
def event_create(*, by, programme, fields: dict, organisers=(), municipalities=()) -> Event:
    if not can_plan(by, programme):  # who plans visits organises events
        raise PermissionDenied
    _check_event(programme, fields, list(municipalities))
    fields = _audience_fields(fields)
    organisers = list(organisers) or [by]
    if any(o.programme_id != programme.pk or scope.is_organisation_staff(o) for o in organisers):
        raise ValidationError({"organisers": _("Organisers are specialists or the support centre of this programme.")})
    event = Event.objects.create(
        programme=programme, created_by=by, **{k: v for k, v in fields.items() if k in EVENT_FIELDS}
    )
    event.organisers.set(organisers)
    event.municipalities.set(municipalities if fields.get("audience") == Audience.CHOSEN else [])
    return event


@transaction.atomic
def event_update(*, by, event: Event, fields: dict, organisers=(), municipalities=()) -> Event:
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not manages_event(by, event):
        raise PermissionDenied
    _check_event(event.programme, fields, list(municipalities))
    fields = _audience_fields(fields)
    registered = event.registrations.filter(status=RegistrationStatus.REGISTERED).count()
    capacity = fields.get("capacity")
    if capacity is not None and capacity < registered:
        raise ValidationError(
            {
                "capacity": _("%(count)s people are registered already: the capacity cannot be lower.")
                % {"count": registered}
            }
        )
    for name in EVENT_FIELDS:
        if name in fields:
            setattr(event, name, fields[name])
    event.sequence = F("sequence") + 1
    event.save()
    event.refresh_from_db()
    if organisers:
        if any(o.programme_id != event.programme_id or scope.is_organisation_staff(o) for o in organisers):
            raise ValidationError(
                {"organisers": _("Organisers are specialists or the support centre of this programme.")}
            )
        event.organisers.set(organisers)
    event.municipalities.set(municipalities if event.audience == Audience.CHOSEN else [])
    _promote(event)
    reminders.plan_event(event)
    return event


@transaction.atomic
def event_cancel(*, by, event: Event) -> Event:
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not manages_event(by, event):
        raise PermissionDenied
    Event.objects.filter(pk=event.pk).update(
        status=EventStatus.CANCELLED, sequence=F("sequence") + 1, updated_at=timezone.now()
    )
    event.refresh_from_db()
    reminders.plan_event(event)
    return event


def _lock_event(event: Event) -> Event:
    """The event's row locked until commit: registrations and cancellations of one event take turns, so two people
    never take the same last place."""
    return Event.objects.select_for_update().select_related("programme").get(pk=event.pk)


@transaction.atomic
def event_register(*, by, event: Event, person) -> Registration:
    """Register `person` (oneself or a colleague of one's own municipality): a place if there is one, else the
    waiting list."""
    event = _lock_event(event)
    if not scope.is_organisation_staff(by) or by.programme_id != event.programme_id:
        raise ValidationError(_("Only municipal staff of this programme register for its events."))
    if person.organisation_id != by.organisation_id or not person.is_active or person.programme_id != by.programme_id:
        raise ValidationError({"person": _("You can register yourself and colleagues of your own municipality.")})
    if not selectors.events_visible_to(person).filter(pk=event.pk).exists():
        raise ValidationError(_("This event is not open to your municipality."))
    if event.status != EventStatus.OPEN:
        raise ValidationError(_("Registration for this event is closed."))
    if event.starts_at <= timezone.now():
        raise ValidationError(_("This event has already started."))
    if event.registrations.filter(user=person).exclude(status=RegistrationStatus.CANCELLED).exists():
        raise ValidationError(
            {"person": _("%(name)s is already registered for this event.") % {"name": person.full_name}}
        )
    taken = event.registrations.filter(status=RegistrationStatus.REGISTERED).count()
    status = (
        RegistrationStatus.REGISTERED
        if event.capacity is None or taken < event.capacity
        else RegistrationStatus.WAITING
    )
    registration = Registration.objects.create(
        event=event, user=person, municipality_id=person.organisation_id, status=status, registered_by=by
    )
    if status == RegistrationStatus.REGISTERED:
        reminders.plan_event(event)
    return registration


def _promote(event: Event) -> list[Registration]:
    """Move people up from the waiting list while there are places (the event's row is locked by the caller), and
    tell each of them at once."""
    promoted = []
    while True:
        taken = event.registrations.filter(status=RegistrationStatus.REGISTERED).count()
        if event.capacity is not None and taken >= event.capacity:
            break
        first = (
            event.registrations.filter(status=RegistrationStatus.WAITING)
            .select_related("user")
            .order_by("created_at", "id")
            .first()
        )
        if first is None:
            break
        first.status = RegistrationStatus.REGISTERED
        first.save(update_fields=["status", "updated_at"])
        promoted.append(first)
        _tell_promoted(event, first)
    return promoted


def _tell_promoted(event: Event, registration: Registration) -> None:
    user = registration.user
    with translation.override(user.language):
        context = {"event": event, "url": settings.SITE_URL + event.get_absolute_url()}
        subject = _("[dxshare] A place is yours: %(title)s") % {"title": event.title}
        body = render_to_string("visits/emails/place_freed.txt", context)
    notification_schedule(
        recipient=user,
        kind="event.place_freed",
        subject=subject,
        body=body,
        url=context["url"],
        unique_key=f"event.place_freed:{registration.pk}",
    )


@transaction.atomic
def registration_cancel(*, by, registration: Registration) -> Registration:
    event = _lock_event(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    own_side = by.organisation_id and by.organisation_id == registration.municipality_id
    if not (own_side or manages_event(by, event)):
        raise PermissionDenied
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("This registration is already cancelled."))
    was_registered = registration.status == RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    if was_registered:
        _promote(event)
        reminders.plan_event(event)
    return registration


@transaction.atomic
def attendance_record(*, by, event: Event, attended_ids: set[int]) -> int:
    event = _lock_event(event)
    if not manages_event(by, event):
        raise PermissionDenied
    if event.starts_at > timezone.now():
        raise ValidationError(_("Attendance is taken once the event has started."))
    registered = event.registrations.filter(status=RegistrationStatus.REGISTERED)
    registered.filter(pk__in=attended_ids).update(attended=True)
    registered.exclude(pk__in=attended_ids).update(attended=False)
    return registered.filter(attended=True).count()


@transaction.atomic
def material_add(*, by, event: Event, files: list[CheckedFile]) -> list[Material]:
    event = _lock_event(event)
    if not manages_event(by, event):
        raise PermissionDenied
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    added = []
    for checked in files:
        material = Material(
            event=event,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=by,
        )
        material.file.save(checked.name, checked.upload, save=False)
        material.save()
        added.append(material)
    return added


# --- Calendar feeds -----------------------------------------------------------------------------------------------


@transaction.atomic
def feed_for_user(user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user, defaults={"programme_id": user.programme_id})
    return feed


@transaction.atomic
def feed_for_municipality(*, by, municipality) -> CalendarFeed:
    """The municipality's feed: its staff and the centre may read its address."""
    if not (by.organisation_id == municipality.pk or scope.is_centre(by) or scope.is_site_admin(by)):
        raise PermissionDenied
    feed, _created = CalendarFeed.objects.get_or_create(
        municipality=municipality, programme_id=by.programme_id, defaults={}
    )
    return feed


@transaction.atomic
def feed_regenerate(*, by, feed: CalendarFeed) -> CalendarFeed:
    """A new secret address; the old one answers 404 from now on."""
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    allowed = feed.user_id == by.pk or (
        feed.municipality_id and (by.organisation_id == feed.municipality_id or scope.is_centre(by))
    )
    if not allowed:
        raise PermissionDenied
    feed.token = new_token()
    feed.save(update_fields=["token", "created_at"])
    return feed
