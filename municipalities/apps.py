from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = _("Programmes and local governments")

    def ready(self):
        from municipalities import communities

        communities.register()  # the e-mail of community announcements (notifications.registry)
