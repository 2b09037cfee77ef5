from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal staff")
    PREFECTURE = "prefecture", _("Prefecture staff")
    SPECIALIST = "specialist", _("Specialist")
    COORDINATOR = "coordinator", _("Coordinator")
    CENTRE_HEAD = "centre_head", _("Centre head")
    SITE_ADMIN = "site_admin", _("Site administrator")


# Roles that speak for a local government and so carry exactly one organisation.
ORGANISATION_ROLES = frozenset({Role.MUNICIPAL, Role.PREFECTURE})
# The support centre: routes requests, runs events, invites people.
CENTRE_ROLES = frozenset({Role.COORDINATOR, Role.CENTRE_HEAD})


class Language(models.TextChoices):
    JA = "ja", "日本語"
    EN = "en", "English"


class EmailDelivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately, one e-mail per event")
    DIGEST = "digest", _("Once a day, in a digest")
