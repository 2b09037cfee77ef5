from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpecialistsConfig(AppConfig):
    name = "specialists"
    verbose_name = _("Specialists and the support centre")
