from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.services import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_seed


class Command(BaseCommand):
    help = "Build the demo programmes (Ehime, and a small Kochi one) and print every demo login. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (demo accounts share a published password).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Refusing to create demo accounts with DEBUG off; pass --allow-production to insist.")
        logins = demo_seed()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Every demo account's password: {DEMO_PASSWORD}"))
        for login in logins:
            self.stdout.write(f"  {login.role:<12} {login.email:<44} {login.description}")
        self.stdout.write(
            "Site administrators, centre heads and coordinators sign in with a second step: add the key "
            f"{DEMO_TOTP_SECRET} to an authenticator app, or print the current code with "
            "`.venv/bin/python manage.py demo_totp_code`."
        )
