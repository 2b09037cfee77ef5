from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PREFECTURE = "prefecture", _("Prefecture")
    CITY = "city", _("City")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")
    WARD = "ward", _("Special ward")


class TargetMetric(models.TextChoices):
    ONSITE_VISITS = "onsite_visits", _("On-site visits")
    CONSULTATIONS = "consultations", _("Consultations handled")
    WORKSHOPS = "workshops", _("Workshops held")
    SATISFACTION = "satisfaction_percent", _("Satisfied staff (%)")


class CommunityRule(models.TextChoices):
    """Who belongs to a community: the member municipalities of a region, those under a population, or chosen ones."""

    REGION = "region", _("The municipalities of a region")
    POPULATION = "population", _("Municipalities under a population")
    CHOSEN = "chosen", _("Chosen municipalities")
