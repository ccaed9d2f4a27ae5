"""The Celery app: settings from Django's CELERY_* names, tasks from each app's tasks.py."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("beacon")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic sweeps; each task is idempotent and cheap when there is nothing to do.
app.conf.beat_schedule = {
    "helpcenter-refresh-semantic-index": {
        "task": "helpcenter.tasks.article_embeddings_refresh",
        "schedule": 300.0,
    },
    "tickets-sla-sweep": {"task": "tickets.tasks.sla_sweep", "schedule": 30.0},
}
