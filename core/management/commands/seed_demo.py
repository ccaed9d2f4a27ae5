from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load demo data for every app that has a demo module; safe to run again."

    def handle(self, *args, **options):
        for app in settings.LOCAL_APPS:
            if find_spec(f"{app}.demo") is None:
                continue
            self.stdout.write(f"demo data: {app}")
            import_module(f"{app}.demo").seed(self.stdout)
