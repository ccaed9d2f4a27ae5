"""Answer a kept help page before the rest of the middleware runs.

A kept page (helpcenter.caching) still cost a visitor the whole middleware stack in
front of it: the session, CSRF, auth, locale and time-zone middleware, URL resolving,
then the page memory. For a visitor who carries no cookie that could make the page
theirs, the answer depends only on the raw request: the host, the scheme, the path and
query, Accept-Language and the language and time-zone cookies. So this middleware, right
after the probes, keeps the whole response the stack produced for such a request (its
headers included: CSP, security headers, Vary) and answers the next identical request
with it, for as long as the kept page behind it is fresh (same content generation,
younger than caching.MAX_AGE). Counters the page bumps are replayed, conditional GETs
answered with 304 and HEADs without a body, as the page itself does.

Anything else (a session or messages cookie, an Authorization header, a method other
than GET or HEAD, a response that was not public) goes through the stack as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from accounts.security.devices import DEVICE_COOKIE
from helpcenter import caching

Handler = Callable[[HttpRequest], HttpResponse]
# Accept-Language and the query string together; longer requests take the whole stack.
MAX_KEY_CHARS = 1024


@dataclass(frozen=True)
class _Kept:
    headers: tuple[tuple[str, str], ...]
    content: bytes
    page: caching.KeptPage

    def fresh(self, generation: int) -> bool:
        return self.page.fresh(generation)


class KeptResponseMiddleware:
    """Second in MIDDLEWARE, after the probes (see the module's docstring)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        # Cookies that leave a public page the same for everyone: the CSRF token (public
        # pages carry a stand-in) and the device id (never read by a help page). The
        # language and time-zone cookies change the page, so they are part of the key.
        self.harmless_cookies = frozenset(
            {
                settings.CSRF_COOKIE_NAME,
                DEVICE_COOKIE,
                settings.LANGUAGE_COOKIE_NAME,
                settings.TIMEZONE_COOKIE_NAME,
            }
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = self._key(request)
        if key is None:
            return self.get_response(request)
        kept = caching.responses.get(key, caching.generation())
        if kept is not None:
            return self._answer(request, kept)
        response = self.get_response(request)
        self._keep(request, key, response)
        return response

    def _key(self, request: HttpRequest) -> tuple | None:
        """The raw inputs a public page depends on; None when it may not be public."""
        meta = request.META
        if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in meta:
            return None
        cookies = request.COOKIES
        if not self.harmless_cookies.issuperset(cookies):
            return None
        accept_language = meta.get("HTTP_ACCEPT_LANGUAGE", "")
        query = meta.get("QUERY_STRING", "")
        if len(accept_language) + len(query) > MAX_KEY_CHARS:
            return None  # a key this long is not a browser's: not worth a place in memory
        return (
            request.scheme,
            meta.get("HTTP_HOST"),
            meta.get("SERVER_NAME"),
            meta.get("SERVER_PORT"),
            meta.get("HTTP_X_FORWARDED_HOST"),
            request.path,
            query,
            accept_language,
            cookies.get(settings.LANGUAGE_COOKIE_NAME),
            cookies.get(settings.TIMEZONE_COOKIE_NAME),
        )

    def _keep(self, request: HttpRequest, key: tuple, response: HttpResponse) -> None:
        page = caching.kept_page(request)
        if (
            page is None
            or request.method != "GET"
            or response.status_code != 200
            or response.streaming
            or response.cookies
            or response.get("Cache-Control") != caching.PUBLIC
        ):
            return
        headers = tuple(response.headers.items())
        caching.responses.put(key, _Kept(headers, response.content, page))

    def _answer(self, request: HttpRequest, kept: _Kept) -> HttpResponse:
        caching.replay(request, kept.page)
        response = HttpResponse(kept.content)
        for name, value in kept.headers:
            response[name] = value
        return caching.conditional_answer(request, response)
