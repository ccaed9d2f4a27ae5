"""The test settings with production's database settings (Django's connection pool, sized
by BEACON_DB_POOL_*), for a server a test starts (tests/core/test_database_pool.py)."""

from __future__ import annotations

from config import env
from config.settings.test import *  # noqa: F403

DATABASES = {"default": env.database_settings(env.required("DATABASE_URL"))}
