"""pytest: real PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, embedded otherwise."""

from __future__ import annotations

import base64
import os
import secrets

from config import env

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = secrets.token_urlsafe(50)
DOCUMENT_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()]
ALLOWED_HOSTS = ["*"]
# A real list, so a test fails if any page may open the sockets: the test client's
# "testserver", and the servers tests start on a free port of the loopback address.
BEACON_WEBSOCKET_ORIGINS = [
    "http://testserver",
    "http://127.0.0.1:*",
    "http://localhost:*",
    *WEBSOCKET_EXTRA_ORIGINS,  # noqa: F405
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = False
# Off unless asked for (the search benchmark's server asks): embedding is slow to set up.
HELPCENTER_SEMANTIC_SEARCH = env.flag("BEACON_SEMANTIC_SEARCH", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"search": "10000/min"}}  # noqa: F405
# Threads (websocket tests, the live server) must not keep connections open past a test:
# the test database could not be dropped at the end. So no pool here: a connection is
# opened and closed per request. tests/core/test_database_pool.py serves the production
# database settings (the pool) to a crowd.
DATABASES = {"default": {**DATABASES["default"], "CONN_MAX_AGE": 0}}  # noqa: F405
DATABASES["default"]["OPTIONS"] = {
    name: value for name, value in DATABASES["default"].get("OPTIONS", {}).items() if name != "pool"
}

# Several test runs may share one PostgreSQL and Redis (two engineers, or CI beside a
# benchmark): each run gets its own test database, channel-layer prefix and Celery queue,
# so none sees another's rows, broadcasts or tasks.
_RUN = f"run{os.getpid()}"
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_RUN}"}  # noqa: F405
if CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis"):  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"asgi-{_RUN}"  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = f"celery-{_RUN}"
# The cache too (rate-limit counters): a server a test starts in a subprocess must not
# inherit an earlier run's counts. (In-process tests get a fresh prefix per test.)
if CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = _RUN  # noqa: F405
# Most tests sign staff in with force_login; the 2FA rule for staff has its own tests,
# which turn it on.
BEACON_STAFF_MFA_REQUIRED = False
# Mail the tests build as authenticated carries this receiving server's verdict
# (tests/mail/builders.py); production names its own (README, "Security model").
BEACON_MAIL_AUTHSERV_IDS = ["mx.beacon.test"]
