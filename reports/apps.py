from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """What the centre reads about the programme: it reads the other apps, and no app imports it."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from accounts.enums import CENTRE_ROLES, Role
        from notifications import registry
        from reports.surveys import SURVEY_INVITATION
        from reports.weekly import WEEKLY_DIGEST

        registry.register(
            registry.Kind(
                WEEKLY_DIGEST, _("The centre's weekly digest"), _("Support centre"), order=50, roles=CENTRE_ROLES
            ),
            registry.Kind(
                SURVEY_INVITATION,
                _("A short survey after a visit, an event or a request"),
                _("Surveys"),
                order=60,
                roles=frozenset({Role.MUNICIPAL}),
            ),
            registry.Kind("export.ready", _("An Excel file you asked for is ready"), _("Exports"), order=70),
        )
