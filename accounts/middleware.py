"""Show each person the site in their language and time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

Handler = Callable[[HttpRequest], HttpResponse]


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
