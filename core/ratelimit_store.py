"""Where rate-limit counters live: Redis, and while Redis cannot answer, the database.

allauth's limiter (sign-in, password reset and Beacon's own limits, core.ratelimits),
allauth's TOTP used-code mark and DRF's throttles read and write Django's default cache,
Redis, and let a Redis error through: with Redis down, every page behind a limit
answered 500, the emergency freeze's among them. `install()` gives them `counters`
instead, which asks Redis first and, when Redis fails, does what the limit's policy says:

- DATABASE: keep counting, in a table of the database (Django's database cache on
  core.RateLimitCounter), shared by every process as Redis was: brute force, spam and
  mail-bombing gain nothing from the outage. If the database cannot count either, the
  limit refuses (it fails closed).
- DATABASE_OR_OPEN: the same, but allowed when the database cannot count (fails open).
- OPEN: count nothing until Redis is back. Only for reads anyone repeats many times a
  minute whose abuse costs little; counting them in the database would put a write on
  every request just when the database is the one shared store left.

Counts made during the outage stay in the table; once Redis answers again the limits
count in Redis afresh (a limit may allow up to twice its number across the switch).
"""

from __future__ import annotations

import logging
import threading
import time
from enum import StrEnum
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, router, transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class Outage(StrEnum):
    DATABASE = "database"
    DATABASE_OR_OPEN = "database, else open"
    OPEN = "open"


# What each limit (ACCOUNT_RATE_LIMITS) does while Redis is away.
WHILE_REDIS_IS_DOWN: dict[str, Outage] = {
    # Secrets one could guess: a password, a reset link, a 2FA code (the 2FA step counts
    # as login_failed). Sign-in keeps its lock-out.
    "login": Outage.DATABASE,
    "login_failed": Outage.DATABASE,
    "reset_password": Outage.DATABASE,
    "reset_password_from_key": Outage.DATABASE,
    "reauthenticate": Outage.DATABASE,
    # The emergency freeze, from the security page and from an alert's "This wasn't me"
    # link: counted as usual (a customer freezes once, far below the limit), and never
    # refused because counting failed: a customer whose account is being stolen must
    # get through whatever else is down.
    "freeze": Outage.DATABASE_OR_OPEN,
    "freeze_link": Outage.DATABASE_OR_OPEN,
    # Each sends mail to an address the visitor types, or puts work in a staff queue:
    # an outage must not open them to spam.
    "appeal": Outage.DATABASE,
    "mfa_reset_request": Outage.DATABASE,
    "kyc_upload": Outage.DATABASE,
    "chat_start": Outage.DATABASE,
    "chat_leave_message": Outage.DATABASE,
    "chat_transcript_email": Outage.DATABASE,
    "chat_complaint": Outage.DATABASE,
    # A one-time code to link a Telegram / X / Discord account: a secret one could guess.
    "outside_link": Outage.DATABASE,
    # Messages from a platform user and forum posts: each puts work in a staff queue or
    # text before readers; an outage must not open them to a flood.
    "outside_inbound": Outage.DATABASE,
    "community_post": Outage.DATABASE,
    "community_post_new_account": Outage.DATABASE,
    # /verify/ and the chat's agent check: a look-up, many a minute; probing which
    # look-alikes pass, for the length of an outage, costs little.
    "channel_verify": Outage.OPEN,
}
# The API's throttles (DRF scopes, DEFAULT_THROTTLE_RATES).
API_THROTTLES_WHILE_REDIS_IS_DOWN: dict[str, Outage] = {
    # Help-centre search: a read, and the widget searches as the customer types.
    "search": Outage.OPEN,
}
# allauth's other limits (signup, confirm_email, change_password, manage_email, …), a
# new API scope, and allauth's TOTP used-code mark (a code must not be replayed because
# Redis is down).
DEFAULT = Outage.DATABASE

# After a store fails, the counters leave it alone this long before asking again: a
# Redis that hangs costs a request one socket timeout per process and interval, rather
# than one per cache call (a sign-in makes about a dozen).
RETRY_SECONDS = 5.0
# The fallback table's rows: one per limit and IP, user or address in its window (and
# its lock). Django's database cache culls a third beyond this, expired rows first.
FALLBACK_MAX_ENTRIES = 50_000
FALLBACK_TABLE = "core_ratelimit_fallback"


class StoreState:
    """Whether a store failed a moment ago, for this process (every thread)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._away_until = 0.0
        self._lock = threading.Lock()

    def away(self) -> bool:
        return time.monotonic() < self._away_until

    def failed(self, exc: Exception) -> None:
        with self._lock:
            announce = not self.away()
            self._away_until = time.monotonic() + RETRY_SECONDS
        if announce:  # once per outage and process, not once per request
            logger.warning(
                "rate limits: %s cannot count (%s: %s); each limit fails as "
                "core.ratelimit_store says until it answers again",
                self.name,
                type(exc).__qualname__,
                exc,
            )

    def reset(self) -> None:
        self._away_until = 0.0


redis_state = StoreState("Redis")
fallback_state = StoreState("the database")
fallback = DatabaseCache(FALLBACK_TABLE, {"OPTIONS": {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES}})


def policy_for(key: str) -> Outage:
    """The policy of the limit a cache key belongs to. allauth's keys are
    "allauth:rl:<app>:<action>:<rate>:<who>" (and that plus ":lock"), DRF's
    "throttle_<scope>_<who>"."""
    parts = key.split(":")
    if parts[:2] == ["allauth", "rl"] and len(parts) > 3:
        return WHILE_REDIS_IS_DOWN.get(parts[3], DEFAULT)
    for scope, policy in API_THROTTLES_WHILE_REDIS_IS_DOWN.items():
        if key.startswith(f"throttle_{scope}_"):
            return policy
    return DEFAULT


# A store that counts nothing: the lock is free, the history empty, writes vanish.
_OPEN = {
    "add": lambda *args, **kwargs: True,
    "get": lambda key, default=None, **kwargs: default,
    "set": lambda *args, **kwargs: None,
    "delete": lambda *args, **kwargs: True,
}
# A store that refuses: the lock is never free, so allauth's limiter refuses (and a TOTP
# code reads as used).
_CLOSED = {**_OPEN, "add": lambda *args, **kwargs: False}


class Counters:
    """The part of Django's cache API that allauth's limiter, its TOTP mark and DRF's
    throttles use."""

    def add(self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT) -> bool:
        return self._call("add", key, value, timeout=timeout)

    def get(self, key: str, default: Any = None) -> Any:
        return self._call("get", key, default)

    def set(self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        return self._call("set", key, value, timeout=timeout)

    def delete(self, key: str) -> bool:
        return self._call("delete", key)

    def _call(self, method: str, key: str, *args: Any, **kwargs: Any) -> Any:
        if not redis_state.away():
            try:
                return getattr(cache, method)(key, *args, **kwargs)
            except RedisError as exc:
                redis_state.failed(exc)
        policy = policy_for(key)
        if policy is Outage.OPEN:
            return _OPEN[method](key, *args, **kwargs)
        if not fallback_state.away():
            try:
                # A savepoint: a failed statement must not break the caller's transaction.
                with transaction.atomic(using=router.db_for_write(fallback.cache_model_class)):
                    return getattr(fallback, method)(key, *args, **kwargs)
            except DatabaseError as exc:
                fallback_state.failed(exc)
        answers = _OPEN if policy is Outage.DATABASE_OR_OPEN else _CLOSED
        return answers[method](key, *args, **kwargs)


counters = Counters()


def install() -> None:
    """Make allauth's limiter, its TOTP used-code mark and DRF's throttles keep their
    counts in `counters`.

    allauth's two read the module-level `cache` they imported from django.core.cache and
    have no setting for another one: replacing that name is the one way in (this fails
    loudly if a new allauth moved either). A DRF throttle reads its class's `cache`, the
    attribute DRF documents for using another cache. Called once, from CoreConfig.ready().
    """
    from allauth.core.internal import ratelimit
    from allauth.mfa.totp.internal import auth as totp
    from rest_framework import throttling

    for module in (ratelimit, totp):
        current = getattr(module, "cache", None)
        if current is not cache and current is not counters:
            raise RuntimeError(
                f"{module.__name__} no longer keeps a `cache`; see core.ratelimit_store"
            )
        module.cache = counters
    throttling.SimpleRateThrottle.cache = counters
