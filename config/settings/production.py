"""Production: every secret from the environment, secure cookies, Redis everywhere."""

from __future__ import annotations

from config import env
from config.origins import origins_for_hosts

from .base import *  # noqa: F403

# No defaults here: a missing one stops the start with one message naming them all.
env.require_all(
    {
        "DJANGO_SECRET_KEY": "signing key, a long random string",
        "DJANGO_ALLOWED_HOSTS": "host names the site answers to, comma-separated",
        "BEACON_SITE_URL": "the address emailed links point at, e.g. https://support.example.com",
        "DATABASE_URL": "PostgreSQL, postgres://user:password@host:5432/beacon",
        "REDIS_URL": "Redis for the channel layer, cache and broker, redis://host:6379/0",
        "BEACON_DOCUMENT_KEYS": "Fernet keys that encrypt identity documents",
        # Unset used to mean the console backend: every email lost without a word.
        "EMAIL_URL": "outgoing mail, smtp://user:pass@host:587?tls=1 (console: on purpose only)",
    }
)
SECRET_KEY = env.required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.csv("DJANGO_ALLOWED_HOSTS")
# JSON lines for the log collector unless BEACON_LOG_FORMAT=text.
LOG_FORMAT = env.choice("BEACON_LOG_FORMAT", ("text", "json"), "json")
LOGGING = {
    **LOGGING,  # noqa: F405
    "handlers": {"console": {**LOGGING["handlers"]["console"], "formatter": LOG_FORMAT}},  # noqa: F405
}

# ---------------------------------------------------------------------------- https
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
# The defaults pass `manage.py check --deploy`; each switch exists to turn a protection
# down on purpose (a staging host without TLS, HSTS tried out with a short max-age first).
SESSION_COOKIE_SECURE = env.flag("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# TLS ends at the reverse proxy, which MUST set X-Forwarded-Proto and drop any value a
# client sent: otherwise a client could claim plain HTTP was HTTPS.
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.flag("DJANGO_SECURE_SSL_REDIRECT", True)
# Pages that may open the websockets (config/origins.py): the trusted origins and the
# allowed hosts over HTTPS (and HTTP on a host that serves it, without the redirect).
BEACON_WEBSOCKET_ORIGINS = [
    *dict.fromkeys(
        [
            *CSRF_TRUSTED_ORIGINS,  # noqa: F405
            *origins_for_hosts(
                ALLOWED_HOSTS, schemes=("https",) if SECURE_SSL_REDIRECT else ("https", "http")
            ),
            *WEBSOCKET_EXTRA_ORIGINS,  # noqa: F405
        ]
    )
]
# The compose health check calls http://127.0.0.1:8000/healthz inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# One year. 0 turns HSTS off; browsers keep a header they saw for max-age, so lower it
# (not to 0) a while before moving any host of the domain off HTTPS.
SECURE_HSTS_SECONDS = int(env.optional("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
# Only a consent: a site enters browsers' preload lists when its registered domain serves
# this header and someone submits it at hstspreload.org.
SECURE_HSTS_PRELOAD = env.flag("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Browsers that follow only CSP 2 (older Safari) do not let 'self' match wss:// on the
# same host: name the hosts for the websockets. ".example.com" is the domain and its subdomains.
_WEBSOCKET_ORIGINS = [
    origin
    for host in ALLOWED_HOSTS
    if host != "*"
    for origin in (
        [f"wss://{host[1:]}", f"wss://*{host}"] if host.startswith(".") else [f"wss://{host}"]
    )
]
CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY,  # noqa: F405
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],  # noqa: F405
        "connect-src": [*CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"], *_WEBSOCKET_ORIGINS],  # noqa: F405
    },
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
