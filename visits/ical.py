"""iCalendar (RFC 5545) for visits and events, written with the icalendar library: CRLF line ends, lines folded at
75 octets without splitting a UTF-8 character, times in Asia/Tokyo with its VTIMEZONE, stable UIDs, SEQUENCE raised
on every change, DTSTAMP from the last change, and cancelled items kept as STATUS:CANCELLED so that subscribed
calendars remove them."""

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

from visits.enums import EventStatus, Mode, TripStatus
from visits.models import Event, Trip
from visits.selectors import load_trips

TOKYO = ZoneInfo("Asia/Tokyo")


def _uid(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@{settings.ICALENDAR_UID_DOMAIN}"


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(TOKYO)


def trip_component(trip: Trip) -> VEvent:
    component = VEvent()
    component.add("uid", _uid("visit", trip.pk))
    component.add("dtstamp", trip.updated_at.astimezone(dt.UTC))
    component.add("last-modified", trip.updated_at.astimezone(dt.UTC))
    component.add("created", trip.created_at.astimezone(dt.UTC))
    component.add("sequence", trip.sequence)
    component.add("dtstart", _local(trip.starts_at))
    component.add("dtend", _local(trip.ends_at))
    kind = _("Visit") if trip.mode == Mode.ONSITE else _("Online meeting")
    component.add("summary", f"{kind}: {trip.municipality.display_name} {trip.purpose}")
    specialists = ", ".join(visit.specialist.user.full_name for visit in trip.visits.all())
    description = [_("Specialists: %(names)s") % {"names": specialists}]
    if trip.agenda:
        description.append(trip.agenda)
    description.append(settings.SITE_URL + trip.get_absolute_url())
    component.add("description", "\n\n".join(description))
    if trip.place:
        component.add("location", trip.place)
    component.add("url", settings.SITE_URL + trip.get_absolute_url())
    component.add("status", "CANCELLED" if trip.status == TripStatus.CANCELLED else "CONFIRMED")
    component.add("transp", "OPAQUE")
    return component


def event_component(event: Event) -> VEvent:
    component = VEvent()
    component.add("uid", _uid("event", event.pk))
    component.add("dtstamp", event.updated_at.astimezone(dt.UTC))
    component.add("last-modified", event.updated_at.astimezone(dt.UTC))
    component.add("created", event.created_at.astimezone(dt.UTC))
    component.add("sequence", event.sequence)
    component.add("dtstart", _local(event.starts_at))
    component.add("dtend", _local(event.ends_at))
    component.add("summary", f"{event.get_kind_display()}: {event.title}")
    parts = [event.description] if event.description else []
    if event.online_url:
        parts.append(event.online_url)
    parts.append(settings.SITE_URL + event.get_absolute_url())
    component.add("description", "\n\n".join(parts))
    if event.venue or event.online_url:
        component.add("location", event.venue or event.online_url)
    component.add("url", settings.SITE_URL + event.get_absolute_url())
    component.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    return component


def _calendar(name: str) -> Calendar:
    """A calendar's own properties and Asia/Tokyo's VTIMEZONE, before its events."""
    cal = Calendar()
    cal.add("prodid", "-//dxshare//visits and events//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Tokyo")
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    cal.add_component(_tokyo())
    return cal


def calendar(name: str, trips=(), events=()) -> bytes:
    """A single visit or event (the .ics download), written whole by icalendar."""
    cal = _calendar(name)
    for trip in trips:
        cal.add_component(trip_component(trip))
    for event in events:
        cal.add_component(event_component(event))
    return cal.to_ical()


# --- Feeds: each item's text cached by its version ------------------------------------------------------------------
#
# A busy municipality's year holds about a thousand visits, and icalendar writes about a thousand components a
# second: too slow for a feed that calendar apps fetch every hour. Each component's text is cached under its kind,
# id, SEQUENCE, last change and language, so a feed is one query of (id, sequence, changed) rows, one cache
# round trip, and icalendar only for what changed since; the text is the library's, byte for byte.

ITEM_TTL = 7 * 24 * 3600  # a name changed elsewhere (a municipality, a specialist) shows within a week at most


@functools.cache
def _tokyo() -> Timezone:
    """Asia/Tokyo's VTIMEZONE, built once per process (icalendar walks the zone's transitions: ~70 ms)."""
    return Timezone.from_tzid("Asia/Tokyo")


def _key(kind: str, pk: int, sequence: int, changed: dt.datetime, language: str) -> str:
    return f"ics:{language}:{kind}:{pk}:{sequence}:{changed.timestamp():.6f}"


def _header(name: str) -> tuple[bytes, bytes]:
    """The calendar's text around its events: what comes before them, and its last line."""
    text = _calendar(name).to_ical()
    end = b"END:VCALENDAR\r\n"
    return text[: -len(end)], end


def feed(name: str, trips, events) -> bytes:
    """A feed from two querysets (trips and events, in the order to show): cached item texts, new ones built."""
    language = get_language() or settings.LANGUAGE_CODE
    rows = [("visit", *row) for row in trips.values_list("pk", "sequence", "updated_at")]
    rows += [("event", *row) for row in events.values_list("pk", "sequence", "updated_at")]
    keys = [_key(kind, pk, sequence, changed, language) for kind, pk, sequence, changed in rows]
    found = cache.get_many(keys)
    missing = {
        kind: [row[1] for row, key in zip(rows, keys, strict=True) if row[0] == kind and key not in found]
        for kind in ("visit", "event")
    }
    built = {}
    if missing["visit"]:
        for trip in load_trips(missing["visit"]):
            built[_key("visit", trip.pk, trip.sequence, trip.updated_at, language)] = trip_component(trip).to_ical()
    if missing["event"]:
        for event in Event.objects.filter(pk__in=missing["event"]):
            built[_key("event", event.pk, event.sequence, event.updated_at, language)] = event_component(
                event
            ).to_ical()
    if built:
        cache.set_many(built, timeout=ITEM_TTL)
    found |= built
    head, end = _header(name)
    return b"".join([head, *(found[key] for key in keys if key in found), end])


def window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """What a feed holds: a year back and a year ahead (a calendar app keeps what it has already seen)."""
    now = now or timezone.now()
    return now - dt.timedelta(days=366), now + dt.timedelta(days=366)
