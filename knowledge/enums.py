from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    CASE = "case", pgettext_lazy("knowledge item", "Case")
    DELIVERABLE = "deliverable", _("Deliverable")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DeliverableType(models.TextChoices):
    GUIDELINE = "guideline", _("Guideline")
    MANUAL = "manual", _("Manual")
    CASE_COLLECTION = "collection", _("Case collection")
    TRAINING = "training", _("Training material")
    OTHER = "other", _("Other")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    MUNICIPAL = "municipal", _("Municipal staff")
    LEADERS = "leaders", _("Heads and managers")
    SPECIALISTS = "specialists", _("Specialists and the support centre")


class Naming(models.TextChoices):
    """Whether a case names the municipality it came from: only when the municipality itself agreed."""

    ANONYMOUS = "anonymous", _("Anonymous")
    ASKED = "asked", _("Municipality asked")
    AGREED = "agreed", _("Municipality agreed to be named")
    DECLINED = "declined", _("Municipality declined")
