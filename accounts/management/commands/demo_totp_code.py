"""Print the current 2FA code of the demo staff accounts (their fixed, demo-only secret)."""

from __future__ import annotations

import time

from allauth.mfa import app_settings
from django.core.management.base import BaseCommand

from accounts.twofactor.demo import DEMO_TOTP_SECRET, demo_totp_code


class Command(BaseCommand):
    help = "The current code for the demo staff's authenticator (seed_demo); demo data only."

    def handle(self, *args, **options):
        now = time.time()
        self.stdout.write(demo_totp_code(now))
        self.stderr.write(
            f"(secret {DEMO_TOTP_SECRET}; valid for {app_settings.TOTP_PERIOD - int(now) % app_settings.TOTP_PERIOD} more seconds)"
        )
