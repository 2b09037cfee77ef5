"""Thin views of visits, events, calendars and feeds: read through visits.selectors, act through one service call.
What a person may not open is a 404."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import scope
from consultations.enums import HelpFormat
from dxshare.files import stored_file_response
from dxshare.forms import add_validation_errors
from visits import ical, selectors, services
from visits.enums import Mode, RegistrationStatus
from visits.forms import (
    CalendarFilterForm,
    CancelForm,
    DoneForm,
    EventForm,
    FollowUpForm,
    MaterialForm,
    RegisterForm,
    TripForm,
)
from visits.models import Event, Trip

VIEWS = ("month", "week", "list")


# --- Calendars ----------------------------------------------------------------------------------------------------


def _day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@login_required
def calendar(request):
    """Month, week or list of the visits and events the person may see, filterable; plain links, no JavaScript."""
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "month"
    day = _day(request.GET.get("date"))
    if not (dt.date(2000, 1, 1) <= day <= dt.date(2100, 1, 1)):
        day = timezone.localdate()
    municipalities, specialists = selectors.filter_choices(request.user)
    form = CalendarFilterForm(request.GET or None, municipalities=municipalities, specialists=specialists)
    filters = selectors.Filters()
    if form.is_bound and form.is_valid():
        filters = selectors.Filters(
            municipality=form.cleaned_data["municipality"],
            specialist=form.cleaned_data["specialist"],
            domain=form.cleaned_data["domain"],
            kind=form.cleaned_data["kind"],
        )
    context = {"view": view, "day": day, "form": form, "today": timezone.localdate()}
    if view == "month":
        first = day.replace(day=1)
        context |= {
            "weeks": selectors.month(request.user, first.year, first.month, filters),
            "first": first,
            "previous": _add_months(first, -1),
            "next": _add_months(first, 1),
        }
    elif view == "week":
        start = day - dt.timedelta(days=(day.weekday() + 1) % 7)
        days, truncated = selectors.between(request.user, start, 7, filters)
        context |= {
            "days": days,
            "truncated": truncated,
            "first": start,
            "previous": start - dt.timedelta(days=7),
            "next": start + dt.timedelta(days=7),
        }
    else:
        days, next_day = selectors.listing(request.user, day, filters)
        context |= {"days": days, "first": day, "previous": day - dt.timedelta(days=30), "next": next_day}
    query = request.GET.copy()
    for key in ("view", "date"):
        query.pop(key, None)
    context["filters_query"] = query.urlencode()
    context["can_plan"] = request.user.programme is not None and services.can_plan(request.user, request.user.programme)
    return render(request, "visits/calendar.html", context)


# --- Visits -------------------------------------------------------------------------------------------------------


def _say_hints(request, found: list[str]) -> None:
    for hint in found:
        messages.warning(request, hint)


@login_required
def visit_new(request):
    programme = request.user.programme
    if programme is None or not services.can_plan(request.user, programme):
        raise PermissionDenied
    consultation = None
    if request.GET.get("consultation", "").isdigit():
        consultation = selectors.visible_request(request.user, int(request.GET["consultation"]))
    initial = {"day": timezone.localdate() + dt.timedelta(days=7)}
    specialist = selectors.own_specialist(request.user)
    if specialist:
        initial["specialists"] = [specialist.pk]
    if consultation is not None:
        initial |= {
            "municipality": consultation.organisation_id,
            "consultations": [consultation.pk],
            "purpose": consultation.title,
            "participants": [consultation.requester_id],
            "mode": Mode.ONLINE if consultation.help_format == HelpFormat.ONLINE else Mode.ONSITE,
        }
    choices = selectors.trip_form_choices(request.user, programme, consultation=consultation)
    form = TripForm(request.POST or None, initial=initial, **choices)
    if request.method == "POST" and form.is_valid():
        try:
            trip, found = services.trip_plan(
                by=request.user, programme=programme, **selectors.trip_arguments(form.cleaned_data)
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The visit is planned."))
            _say_hints(request, found)
            return redirect(trip)
    return render(request, "visits/visit_form.html", {"form": form, "trip": None}, status=400 if form.errors else 200)


def _trip_or_404(user, pk) -> Trip:
    try:
        return selectors.trip_visible_to(user, pk)
    except Trip.DoesNotExist as missing:
        raise Http404 from missing


@login_required
def visit_detail(request, pk):
    trip = _trip_or_404(request.user, pk)
    consultations = selectors.requests_served(request.user, trip)
    can_change = services.can_change_trip(request.user, trip)
    owners = selectors.follow_up_owners(trip) if can_change else []
    return render(
        request,
        "visits/visit_detail.html",
        {
            "trip": trip,
            "consultations": list(consultations),
            "can_change": can_change,
            "hints": services.hints(trip) if can_change and not trip.is_done else [],
            "follow_up_form": FollowUpForm(owners=owners) if can_change else None,
            "started": trip.starts_at <= timezone.now(),
        },
    )


@login_required
def visit_edit(request, pk):
    trip = _trip_or_404(request.user, pk)
    if not services.can_change_trip(request.user, trip):
        raise PermissionDenied
    local_start, local_end = timezone.localtime(trip.starts_at), timezone.localtime(trip.ends_at)
    initial = {
        "municipality": trip.municipality_id,
        "specialists": [v.specialist_id for v in trip.visits.all()],
        "mode": trip.mode,
        "day": local_start.date(),
        "start_time": local_start.time(),
        "end_time": local_end.time(),
        "purpose": trip.purpose,
        "place": trip.place,
        "agenda": trip.agenda,
        "consultations": list(trip.consultations.values_list("pk", flat=True)),
        "participants": [p.pk for p in trip.participants.all()],
        "other_participants": trip.other_participants,
    }
    form = TripForm(request.POST or None, initial=initial, **selectors.trip_form_choices(request.user, trip.programme))
    if request.method == "POST" and form.is_valid():
        arguments = selectors.trip_arguments(form.cleaned_data)
        if arguments.pop("municipality").pk != trip.municipality_id:
            form.add_error("municipality", _("A visit's municipality cannot change: cancel it and plan another."))
        else:
            try:
                trip, found = services.trip_update(by=request.user, trip=trip, **arguments)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("The visit is saved."))
                _say_hints(request, found)
                return redirect(trip)
    return render(request, "visits/visit_form.html", {"form": form, "trip": trip}, status=400 if form.errors else 200)


@login_required
def visit_done(request, pk):
    trip = _trip_or_404(request.user, pk)
    if not services.can_change_trip(request.user, trip):
        raise PermissionDenied
    form = DoneForm(request.POST or None, initial={"outcome": trip.outcome})
    if request.method == "POST" and form.is_valid():
        try:
            services.trip_mark_done(by=request.user, trip=trip, outcome=form.cleaned_data["outcome"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The visit is recorded as done."))
            return redirect(trip)
    return render(request, "visits/visit_done.html", {"form": form, "trip": trip}, status=400 if form.errors else 200)


@login_required
def visit_cancel(request, pk):
    trip = _trip_or_404(request.user, pk)
    if not services.can_change_trip(request.user, trip):
        raise PermissionDenied
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.trip_cancel(by=request.user, trip=trip, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The visit is cancelled. Subscribed calendars remove it."))
            return redirect(trip)
    return render(request, "visits/visit_cancel.html", {"form": form, "trip": trip}, status=400 if form.errors else 200)


@login_required
@require_POST
def follow_up_add(request, pk):
    trip = _trip_or_404(request.user, pk)
    if not services.can_change_trip(request.user, trip):
        raise PermissionDenied
    form = FollowUpForm(request.POST, owners=selectors.follow_up_owners(trip))
    if form.is_valid():
        try:
            services.follow_up_add(
                by=request.user,
                trip=trip,
                description=form.cleaned_data["description"],
                owner=selectors.person(form.cleaned_data["owner"]),
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The follow-up action is added."))
            return redirect(trip)
    for message in [message for errors in form.errors.values() for message in errors]:
        messages.error(request, message)
    return redirect(reverse("visits:visit", args=[trip.pk]) + "#follow-ups")


@login_required
@require_POST
def follow_up_done(request, pk):
    follow_up = get_object_or_404(selectors.follow_ups_visible_to(request.user), pk=pk)
    services.follow_up_done(by=request.user, follow_up=follow_up)
    messages.success(request, _("The action is marked done."))
    return redirect(reverse("visits:visit", args=[follow_up.trip_id]) + "#follow-ups")


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def visit_ics(request, pk):
    trip = _trip_or_404(request.user, pk)
    return _ics(ical.calendar(trip.purpose, trips=[trip]), f"visit-{trip.pk}.ics")


# --- Events -------------------------------------------------------------------------------------------------------


@login_required
def event_list(request):
    events = selectors.upcoming_events(request.user)
    programme = request.user.programme
    return render(
        request,
        "visits/event_list.html",
        {"events": events, "can_organise": programme is not None and services.can_plan(request.user, programme)},
    )


@login_required
def event_new(request):
    programme = request.user.programme
    if programme is None or not services.can_plan(request.user, programme):
        raise PermissionDenied
    form = EventForm(
        request.POST or None, initial={"organisers": [request.user.pk]}, **selectors.event_form_choices(programme)
    )
    if request.method == "POST" and form.is_valid():
        fields, chosen, organisers = selectors.event_arguments(form.cleaned_data)
        try:
            event = services.event_create(
                by=request.user, programme=programme, fields=fields, municipalities=chosen, organisers=organisers
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The event is created."))
            return redirect(event)
    return render(request, "visits/event_form.html", {"form": form, "event": None}, status=400 if form.errors else 200)


def _event_page_or_404(user, pk) -> selectors.EventPage:
    try:
        return selectors.event_page(user, pk)
    except Event.DoesNotExist as missing:
        raise Http404 from missing


@login_required
def event_edit(request, pk):
    page = _event_page_or_404(request.user, pk)
    event = page.event
    if not page.manages:
        raise PermissionDenied
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    initial = {
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "day": start.date(),
        "start_time": start.time(),
        "end_day": end.date() if end.date() != start.date() else None,
        "end_time": end.time(),
        "venue": event.venue,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "audience": event.audience,
        "region": event.region_id,
        "population_below": event.population_below,
        "community": event.community_id,
        "municipalities": [m.pk for m in event.municipalities.all()],
        "organisers": [o.pk for o in event.organisers.all()],
    }
    form = EventForm(request.POST or None, initial=initial, **selectors.event_form_choices(event.programme))
    if request.method == "POST" and form.is_valid():
        fields, chosen, organisers = selectors.event_arguments(form.cleaned_data)
        try:
            event = services.event_update(
                by=request.user, event=event, fields=fields, municipalities=chosen, organisers=organisers
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The event is saved."))
            return redirect(event)
    return render(request, "visits/event_form.html", {"form": form, "event": event}, status=400 if form.errors else 200)


@login_required
def event_detail(request, pk, *, register_form=None, status=200):
    page = _event_page_or_404(request.user, pk)
    colleagues = selectors.colleagues(request.user)
    return render(
        request,
        "visits/event_detail.html",
        {
            "page": page,
            "event": page.event,
            "register_form": register_form
            or (RegisterForm(colleagues=colleagues, initial={"person": request.user.pk}) if colleagues else None),
            "material_form": MaterialForm() if page.manages else None,
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_POST
def event_register(request, pk):
    page = _event_page_or_404(request.user, pk)
    form = RegisterForm(request.POST, colleagues=selectors.colleagues(request.user))
    if form.is_valid():
        person = selectors.person(form.cleaned_data["person"])
        try:
            registration = services.event_register(by=request.user, event=page.event, person=person)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if registration.status == RegistrationStatus.WAITING:
                messages.info(
                    request,
                    _("The event is full: %(name)s is on the waiting list and moves up by itself when a place frees.")
                    % {"name": person.full_name},
                )
            else:
                messages.success(request, _("%(name)s is registered.") % {"name": person.full_name})
            return redirect(page.event)
    return event_detail(request, pk, register_form=form, status=400)


@login_required
@require_POST
def registration_cancel(request, pk):
    registration = get_object_or_404(selectors.registrations_visible_to(request.user), pk=pk)
    try:
        services.registration_cancel(by=request.user, registration=registration)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The registration of %(name)s is cancelled.") % {"name": registration.user.full_name}
        )
    return redirect(registration.event)


@login_required
def event_attendance(request, pk):
    page = _event_page_or_404(request.user, pk)
    if not page.manages:
        raise PermissionDenied
    if request.method == "POST":
        attended = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
        try:
            count = services.attendance_record(by=request.user, event=page.event, attended_ids=attended)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Attendance is saved: %(count)s attended.") % {"count": count})
        return redirect(page.event)
    return render(request, "visits/event_attendance.html", {"page": page, "event": page.event})


@login_required
@require_POST
def event_materials(request, pk):
    page = _event_page_or_404(request.user, pk)
    if not page.manages:
        raise PermissionDenied
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.material_add(by=request.user, event=page.event, files=form.cleaned_data["files"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The materials are attached."))
            return redirect(page.event)
    for message in [message for errors in form.errors.values() for message in errors]:
        messages.error(request, message)
    return redirect(page.event)


@login_required
def material_download(request, pk):
    material = get_object_or_404(selectors.materials_visible_to(request.user), pk=pk)
    return stored_file_response(material)


@login_required
def event_cancel(request, pk):
    page = _event_page_or_404(request.user, pk)
    if not page.manages:
        raise PermissionDenied
    if request.method == "POST":
        services.event_cancel(by=request.user, event=page.event)
        messages.success(request, _("The event is cancelled. Subscribed calendars remove it."))
        return redirect(page.event)
    return render(request, "visits/event_cancel.html", {"page": page, "event": page.event})


@login_required
def event_ics(request, pk):
    page = _event_page_or_404(request.user, pk)
    return _ics(ical.calendar(page.event.title, events=[page.event]), f"event-{page.event.pk}.ics")


# --- Feeds --------------------------------------------------------------------------------------------------------


@login_required
def feeds(request):
    """The secret addresses to subscribe to: one's own calendar, and one's municipality's."""
    if request.user.programme_id is None:
        raise PermissionDenied
    personal = services.feed_for_user(request.user)
    municipal = None
    if scope.is_municipal(request.user):
        municipal = services.feed_for_municipality(by=request.user, municipality=request.user.organisation)
    if request.method == "POST":
        target = personal if request.POST.get("feed") == "personal" else municipal
        if target is None:
            raise PermissionDenied
        services.feed_regenerate(by=request.user, feed=target)
        messages.success(
            request, _("A new address is made. The old one no longer works: subscribe again with the new one.")
        )
        return redirect("visits:feeds")
    return render(
        request,
        "visits/feeds.html",
        {
            "personal_url": request.build_absolute_uri(personal.get_absolute_url()),
            "municipal_url": request.build_absolute_uri(municipal.get_absolute_url()) if municipal else "",
        },
    )


@never_cache
@require_GET
def feed(request, token):
    """A calendar feed, addressed by its secret token alone (calendar apps cannot sign in)."""
    subscription = selectors.feed_by_token(token)
    if subscription is None:
        raise Http404
    start, end = ical.window()
    trips, events = selectors.feed_items(subscription, start, end)
    # In the owner's language (a person's feed) or the portal's (a municipality's): calendar apps send no cookie.
    owner = subscription.user
    with translation.override(owner.language if owner else settings.LANGUAGE_CODE):
        name = _("dxshare: %(name)s") % {"name": owner.full_name if owner else subscription.municipality.display_name}
        body = ical.feed(name, trips, events)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="dxshare.ics"'
    return response
