from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "visits"

    def ready(self):
        from visits import reminders

        reminders.register()  # the kinds of e-mail and reminders it sends (notifications.registry)
