"""The one place settings read the environment.

Embedded defaults (SQLite, in-memory channel layer, filesystem broker) apply when a
variable is unset; production.py names the mandatory ones with `require_all`, which
stops the start with one message listing every one that is missing.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("BEACON_VAR_DIR", BASE_DIR / "var"))


def optional(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def required(name: str, meaning: str = "") -> str:
    value = optional(name)
    if not value:
        raise ImproperlyConfigured(_missing_message({name: meaning}))
    return value


def require_all(variables: dict[str, str]) -> None:
    """Stop at start, naming every unset variable of `variables` ({name: meaning}) at once.

    An operator fixing a deployment sees the whole list in one message rather than one
    variable per restart.
    """
    missing = {name: meaning for name, meaning in variables.items() if not optional(name)}
    if missing:
        raise ImproperlyConfigured(_missing_message(missing))


def _missing_message(missing: dict[str, str]) -> str:
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.production")
    lines = [f"{settings_module} needs these environment variables (see .env.example):"]
    lines += [
        f"  {name}: {meaning}" if meaning else f"  {name}" for name, meaning in missing.items()
    ]
    return "\n".join(lines)


def flag(name: str, default: bool = False) -> bool:
    value = optional(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def csv(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in optional(name, default).split(",") if item.strip()]


def choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = (optional(name) or default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)} (got {value!r})")
    return value


def absolute_url(name: str, value: str) -> str:
    """`value` as a site address without the trailing slash; anything else stops the start."""
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname or parsed.query:
        raise ImproperlyConfigured(
            f"{name} must be the address people open, like https://support.example.com "
            f"(got {value!r})"
        )
    return value.rstrip("/")


def email_settings(url: str) -> dict[str, object]:
    """Turn EMAIL_URL (smtp://user:pass@host:587?tls=1, or console:, or file:) into settings."""
    if not url or url.startswith("console:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parsed.path or str(VAR_DIR / "mail"),
        }
    if parsed.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured("EMAIL_URL must start with smtp://, smtps://, file: or console:")
    query = parse_qs(parsed.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", ["0"])[0] in {"1", "true"},
        "EMAIL_TIMEOUT": 10,
    }


def networks(name: str) -> list[str]:
    """A comma-separated list of IP networks (CIDR) or addresses; a typo stops the start."""
    values = csv(name)
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {value!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from None
    return values


def integer(name: str, default: int, *, minimum: int = 0) -> int:
    value = optional(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least {minimum}")
    return number


def database_settings(url: str) -> dict[str, object]:
    """DATABASES["default"] for DATABASE_URL: PostgreSQL through a bounded connection pool.

    Django's pool (psycopg 3) is per process: each process holds at most
    BEACON_DB_POOL_MAX_SIZE connections, keeps BEACON_DB_POOL_MIN_SIZE open when idle, and
    a request that finds every connection busy waits up to BEACON_DB_POOL_TIMEOUT seconds
    for one (then fails with a 500). Persistent connections (CONN_MAX_AGE) are off: under an
    ASGI server each request runs in a thread of its own, and a connection kept by a thread
    was never used again (one per request, until PostgreSQL ran out).
    https://docs.djangoproject.com/en/5.2/ref/databases/#postgresql-pool
    """
    database = dj_database_url.parse(url, conn_max_age=0, conn_health_checks=True)
    if database["ENGINE"].endswith("postgresql"):
        max_size = integer("BEACON_DB_POOL_MAX_SIZE", 10, minimum=1)
        min_size = integer("BEACON_DB_POOL_MIN_SIZE", 1)
        if min_size > max_size:
            raise ImproperlyConfigured(
                "BEACON_DB_POOL_MIN_SIZE must not be larger than BEACON_DB_POOL_MAX_SIZE"
            )
        database["OPTIONS"] = {
            **database.get("OPTIONS", {}),
            "pool": {
                "min_size": min_size,
                "max_size": max_size,
                # Long enough to ride out a burst, short of a proxy's 60 s timeout.
                "timeout": integer("BEACON_DB_POOL_TIMEOUT", 10, minimum=1),
                # Connections above min_size idle this long are closed: a burst's
                # connections do not stay for minutes.
                "max_idle": 60,
            },
        }
    return database
