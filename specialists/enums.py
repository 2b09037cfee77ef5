from django.db import models
from django.utils.translation import gettext_lazy as _


class Domain(models.TextChoices):
    """The five domains of the shared DX specialists (DX推進専門官). The value is the short code used everywhere."""

    DESIGN = "design", _("Design thinking & UI/UX")
    SECURITY = "security", _("Systems & security")
    DATA = "data", _("Data utilisation")
    COCREATION = "cocreation", _("Public-private co-creation")
    PR = "pr", _("PR & marketing")
