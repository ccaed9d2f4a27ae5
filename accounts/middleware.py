"""Show each person the site in their language and time zone; track user sessions
without a database write on every request."""

from __future__ import annotations

import hashlib
import logging
import time
import zoneinfo
from collections.abc import Callable

from allauth.usersessions.internal import usersessionkit
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

Handler = Callable[[HttpRequest], HttpResponse]
logger = logging.getLogger(__name__)


def page_language(request: HttpRequest, user=None) -> str:
    """The language Beacon's pages speak to `user` (None: signed out) on this browser: the
    one picked here (the language cookie), else their saved one, else the browser's.

    For a message shown on the next page, when this request changes who is signed in.
    """
    chosen_here = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    if user is not None and user.is_authenticated and not chosen_here and user.language:
        return user.language
    return translation.get_language_from_request(request)


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over Accept-Language, unless they picked one here.

    Runs after LocaleMiddleware (which handles the cookie and Accept-Language) and
    AuthenticationMiddleware.
    """

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen_here = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
        if user is not None and user.is_authenticated and not chosen_here and user.language:
            translation.activate(page_language(request, user))
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def _zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class UserTimezoneMiddleware:
    """Activate the user's saved time zone, else the browser's (a cookie set by base.js), else UTC."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        saved = user.time_zone if user is not None and user.is_authenticated else None
        zone = _zone(saved) or _zone(request.COOKIES.get(settings.TIMEZONE_COOKIE_NAME))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        return self.get_response(request)


# ---------------------------------------------------------------- user-session tracking

# allauth's user-session tracking (USERSESSIONS_TRACK_ACTIVITY) keeps each session's last
# IP, browser and time for the security page's list of sessions. Its middleware writes
# the row on every request (BEGIN, two SELECTs, an UPDATE, COMMIT: a database write on
# every page view); this one lets it through at most once per
# BEACON_USERSESSION_TOUCH_SECONDS per session, or at once when the session's IP or
# browser changes (allauth's session_client_changed signal still fires then).
_seen_here: dict[str, float] = {}
_SEEN_HERE_MAX = 20_000


def _activity_key(request: HttpRequest, session_key: str) -> str:
    from allauth.account.adapter import get_adapter

    agent = request.META.get("HTTP_USER_AGENT", "")[:500]
    client = f"{session_key}|{get_adapter().get_client_ip(request)}|{agent}"
    # Hashed: the key names no session (a session key is a credential).
    return "usersession-seen:" + hashlib.sha256(client.encode("utf-8", "replace")).hexdigest()[:40]


def _activity_due(key: str, ttl: int) -> bool:
    """True once per `ttl` seconds per key: this process's memory first, then the cache
    (Redis, shared by every process; `add` is atomic). While the cache cannot answer,
    this process's memory alone decides, so a session is still written at most once per
    `ttl` per process."""
    now = time.monotonic()
    if _seen_here.get(key, 0.0) > now:
        return False
    try:
        due = cache.add(key, 1, ttl)
    except Exception:  # noqa: BLE001 - Redis away: fall back to this process's memory
        logger.warning("user-session throttle: the cache did not answer", exc_info=True)
        due = True
    if due:
        if len(_seen_here) >= _SEEN_HERE_MAX:
            _seen_here.clear()
        _seen_here[key] = now + ttl
    return due


class UserSessionActivityMiddleware:
    """allauth's UserSessionsMiddleware, throttled (see above). Stands in its place in
    MIDDLEWARE, after AuthenticationMiddleware."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            user is not None
            and user.is_authenticated
            and session is not None
            and session.session_key
            and _activity_due(
                _activity_key(request, session.session_key),
                settings.BEACON_USERSESSION_TOUCH_SECONDS,
            )
        ):
            usersessionkit.track_activity(request, user=user, session=session)
        return self.get_response(request)
