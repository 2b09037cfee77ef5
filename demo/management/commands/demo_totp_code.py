import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand

from demo.services import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = (
        "Print the demo's current two-step sign-in code (the demo's published key, shared by its site administrator, "
        "centre heads and coordinators; nobody else's)."
    )

    def handle(self, *args, **options):
        now = time.time()
        period = settings.MFA_TOTP_PERIOD
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(now) // period))
        self.stdout.write(f"{code}  (valid for {period - int(now) % period} more seconds)")
