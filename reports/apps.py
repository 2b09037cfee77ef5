from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """What the centre reads about the programme: it reads the other apps, and no app imports it."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from accounts.enums import CENTRE_ROLES
        from notifications import registry
        from reports.weekly import WEEKLY_DIGEST

        registry.register(
            registry.Kind(
                WEEKLY_DIGEST, _("The centre's weekly digest"), _("Support centre"), order=50, roles=CENTRE_ROLES
            ),
        )
