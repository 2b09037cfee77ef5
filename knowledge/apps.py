from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge sharing")

    def ready(self):
        from knowledge import notify, panels  # noqa: F401 - panels registers the sections shown on request pages
        from knowledge.partners import reminders

        notify.register()  # the library's e-mail (notifications.registry)
        reminders.register()  # the reminder that an agreement's term is ending (notifications.registry)
