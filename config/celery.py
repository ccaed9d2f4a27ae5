"""The Celery app: settings from Django's CELERY_* names, tasks from each app's tasks.py."""

from __future__ import annotations

import logging.config
import os

from celery import Celery
from celery.signals import setup_logging

# Workers and beat start as production unless told otherwise (as config/asgi.py): a
# missing variable stops them with a message. `make run` (run_portal) passes its settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("beacon")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The periodic tasks are in settings (CELERY_BEAT_SCHEDULE), in one place.


@setup_logging.connect
def _django_logging(loglevel: int | None = None, **kwargs) -> None:
    """Workers and beat log as the web does (settings.LOGGING: JSON lines in production, the
    task on each line), not in Celery's own format; with a receiver here Celery neither
    replaces the root handler nor turns stdout (the console mail backend) into WARNINGs.
    The command line's `-l` still sets the level."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
