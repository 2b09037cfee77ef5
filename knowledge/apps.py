from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge sharing")

    def ready(self):
        from knowledge import panels  # noqa: F401 - registers the panels shown on request pages
        from knowledge.partners import reminders

        reminders.register()  # the reminder that an agreement's term is ending (notifications.registry)
