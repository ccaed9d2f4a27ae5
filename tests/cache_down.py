"""The shared cache unreachable (nothing listens on port 1), for code that must carry on
without Redis."""

from __future__ import annotations

from django.test.utils import override_settings

UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def cache_unreachable() -> override_settings:
    return override_settings(CACHES=UNREACHABLE_CACHE)
