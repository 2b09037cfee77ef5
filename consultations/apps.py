from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultations")

    def ready(self):
        from consultations import reminders

        reminders.register()  # the kinds of e-mail and reminders it sends (notifications.registry)
        from consultations import notify
        from notifications import registry

        # Mails about a request go only while the recipient may still see it (and its internal notes, for those).
        registry.register_visibility("consultations.consultation", notify.still_visible)
