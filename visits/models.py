"""Visits (訪問支援) and events (camps, workshops, seminars) of a programme.

A *trip* is one outing to one municipality: a time, on site or online, a purpose, the requests it serves, the
municipality's participants, and afterwards its outcome and follow-up actions. Each specialist on the trip has one
*visit* row, so the programme's counting rule holds by construction: one specialist × one municipality × one day =
one visit (a unique constraint), two specialists travelling together count two, online meetings are counted apart
(their own mode) and cancelled visits never count (visits.selectors.visit_count reads done visits only).
"""

import secrets
import uuid
from pathlib import PurePath

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dxshare.history import tracked
from visits.enums import Audience, EventKind, EventStatus, Mode, RegistrationStatus, TripStatus

NOT_CANCELLED = ~models.Q(status=TripStatus.CANCELLED)


@tracked("TripHistory")
class Trip(models.Model):
    programme = models.ForeignKey(
        "municipalities.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    municipality = models.ForeignKey(
        "municipalities.LocalGovernment", verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(_("on site or online"), max_length=8, choices=Mode.choices, default=Mode.ONSITE)
    purpose = models.CharField(_("purpose"), max_length=200)
    agenda = models.TextField(_("agenda"), blank=True)
    place = models.CharField(_("place or meeting link"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=TripStatus.choices, default=TripStatus.PLANNED)
    consultations = models.ManyToManyField(
        "consultations.Consultation", verbose_name=_("requests it serves"), blank=True, related_name="trips"
    )
    participants = models.ManyToManyField(
        "accounts.User", verbose_name=_("municipal participants"), blank=True, related_name="trips_attended"
    )
    other_participants = models.CharField(_("other participants"), max_length=300, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # RFC 5545: raised on every change a calendar should pick up.
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(name="trip_ends_after_start", condition=models.Q(ends_at__gt=models.F("starts_at")))
        ]
        indexes = [
            models.Index(fields=["programme", "starts_at"], name="trip_programme_start_idx"),
            models.Index(fields=["municipality", "starts_at"], name="trip_municipality_start_idx"),
        ]

    def __str__(self):
        return f"{self.purpose} ({self.starts_at:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("visits:visit", kwargs={"pk": self.pk})

    @property
    def is_cancelled(self) -> bool:
        return self.status == TripStatus.CANCELLED

    @property
    def is_done(self) -> bool:
        return self.status == TripStatus.DONE


@tracked("VisitHistory")
class Visit(models.Model):
    """One specialist on one trip: the unit the programme counts."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="visits")
    specialist = models.ForeignKey(
        "specialists.Specialist", verbose_name=_("specialist"), on_delete=models.PROTECT, related_name="visits"
    )
    # Copied from the trip (the services keep them in step) so that counting reads one indexed table.
    programme = models.ForeignKey("municipalities.Programme", on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey("municipalities.LocalGovernment", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"), help_text=_("The day of the visit in Asia/Tokyo."))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    mode = models.CharField(_("on site or online"), max_length=8, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=12, choices=TripStatus.choices)

    class Meta:
        verbose_name = _("specialist's visit")
        verbose_name_plural = _("specialists' visits")
        constraints = [
            models.UniqueConstraint(
                fields=["specialist", "municipality", "day", "mode"],
                condition=NOT_CANCELLED,
                name="one_visit_per_specialist_municipality_day",
            ),
            models.UniqueConstraint(fields=["trip", "specialist"], name="one_visit_per_trip_specialist"),
        ]
        indexes = [
            # The fiscal-year count per programme, municipality or specialist.
            models.Index(fields=["programme", "fiscal_year", "status", "mode"], name="visit_count_idx"),
            models.Index(fields=["municipality", "fiscal_year", "status"], name="visit_municipality_year_idx"),
            models.Index(fields=["specialist", "day"], name="visit_specialist_day_idx"),
        ]

    def __str__(self):
        return f"{self.specialist_id} → {self.municipality_id} {self.day}"


class FollowUp(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="follow_ups")
    description = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey("accounts.User", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "due_on"], name="followup_owner_due_idx")]

    def __str__(self):
        return self.description


@tracked("EventHistory")
class Event(models.Model):
    programme = models.ForeignKey(
        "municipalities.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=16, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.PROGRAMME)
    region = models.ForeignKey(
        "municipalities.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True
    )
    population_below = models.PositiveIntegerField(_("population below"), null=True, blank=True)
    community = models.ForeignKey(
        "municipalities.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    municipalities = models.ManyToManyField(
        "municipalities.LocalGovernment", verbose_name=_("chosen municipalities"), blank=True, related_name="+"
    )
    organisers = models.ManyToManyField("accounts.User", verbose_name=_("organisers"), related_name="events_organised")
    status = models.CharField(_("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.OPEN)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(name="event_ends_after_start", condition=models.Q(ends_at__gt=models.F("starts_at")))
        ]
        indexes = [models.Index(fields=["programme", "starts_at"], name="event_programme_start_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("visits:event", kwargs={"pk": self.pk})

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey("accounts.User", verbose_name=_("participant"), on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey("municipalities.LocalGovernment", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    registered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=~models.Q(status=RegistrationStatus.CANCELLED),
                name="one_registration_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["event", "status", "created_at", "id"], name="registration_queue_idx"),
            models.Index(fields=["user", "status"], name="registration_user_idx"),
        ]

    def __str__(self):
        return f"{self.user_id} @ {self.event_id}"


def material_path(instance, filename: str) -> str:
    return f"events/{instance.event_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


class Material(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    file = models.FileField(_("file"), upload_to=material_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("visits:material", kwargs={"pk": self.pk})


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A secret address for subscribing to a calendar: a person's own, or a municipality's. Regenerating the token
    replaces the row's token, so the old address answers 404."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feed"
    )
    municipality = models.ForeignKey(
        "municipalities.LocalGovernment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    programme = models.ForeignKey("municipalities.Programme", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="feed_has_one_owner",
                condition=(models.Q(user__isnull=False, municipality__isnull=True))
                | (models.Q(user__isnull=True, municipality__isnull=False)),
            ),
            models.UniqueConstraint(
                fields=["programme", "municipality"],
                condition=models.Q(municipality__isnull=False),
                name="one_feed_per_municipality",
            ),
        ]

    def __str__(self):
        return f"feed {self.user_id or self.municipality_id}"

    def get_absolute_url(self):
        return reverse("visits:feed", kwargs={"token": self.token})
