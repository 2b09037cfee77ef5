"""The choices of visits and events."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Mode(models.TextChoices):
    ONSITE = "onsite", _("On site")
    ONLINE = "online", _("Online")


class TripStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", pgettext_lazy("visit", "Done")
    CANCELLED = "cancelled", _("Cancelled")


class EventKind(models.TextChoices):
    SUMMER_CAMP = "summer_camp", _("Summer camp")
    WINTER_CAMP = "winter_camp", _("Winter camp")
    WORKSHOP = "workshop", _("Workshop")
    SEMINAR = "seminar", _("Seminar")
    TRAINING = "training", _("Training")


class Audience(models.TextChoices):
    PROGRAMME = "programme", _("Every member municipality")
    REGION = "region", _("The municipalities of a region")
    POPULATION = "population", _("Municipalities under a population")
    CHOSEN = "chosen", _("Chosen municipalities")
    COMMUNITY = "community", _("A community")


class EventStatus(models.TextChoices):
    OPEN = "open", _("Registration open")
    CLOSED = "closed", _("Registration closed")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
