from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "visits"

    def ready(self):
        from visits import reminders

        reminders.register()  # the kinds of e-mail and reminders it sends (notifications.registry)

        from municipalities import panels
        from visits.community_panel import upcoming_events

        panels.register_community(upcoming_events)  # a community's page lists the events opened to it
