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
