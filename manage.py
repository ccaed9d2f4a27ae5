#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # The developer's tool (make run, migrate, shell) defaults to the local settings; the
    # servers (config/asgi.py, config/celery.py) default to production, and production
    # images set DJANGO_SETTINGS_MODULE for manage.py too (Dockerfile).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
