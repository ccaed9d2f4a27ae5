"""Run the 2FA-reset completion once (what beat runs every 5 minutes)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.twofactor.services import mfa_resets_complete


class Command(BaseCommand):
    help = "Remove 2FA from accounts whose approved reset has passed its cool-down."

    def handle(self, *args, **options):
        done = mfa_resets_complete()
        self.stdout.write(f"completed {done} two-factor reset(s)")
