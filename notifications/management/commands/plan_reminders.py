from django.core.management.base import BaseCommand

from notifications import registry


class Command(BaseCommand):
    help = (
        "Plan the reminders of everything open (requests that wait, visits, events and actions ahead). Safe to run "
        "again: it plans, it never duplicates. Run it once after an upgrade that adds a kind of reminder."
    )

    def handle(self, *args, **options):
        for planner in registry.planners():
            count = planner()
            self.stdout.write(f"{planner.__module__}: {count}")
