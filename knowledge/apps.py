from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge sharing")

    def ready(self):
        from knowledge import notify, panels  # noqa: F401 - panels registers the sections shown on request pages
        from knowledge.partners import kept, reminders

        notify.register()  # the library's e-mail (notifications.registry)
        from django.db.models.signals import post_save

        from consultations.models import Consultation

        post_save.connect(_request_saved, sender=Consultation, dispatch_uid="knowledge.request_saved")
        kept.register()  # every change to a partner renews the directory's kept list
        reminders.register()  # the reminder that an agreement's term is ending (notifications.registry)


def _request_saved(sender, instance, **kwargs):
    """A confidential request's case leaves every list at once: the kept lists and similar cases are renewed."""
    if instance.confidential:
        from knowledge.services import _library_changed

        _library_changed()
