"""Give every browser a long-lived random device cookie, so a sign-in can tell a new device."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from accounts.security.devices import (
    DEVICE_COOKIE,
    DEVICE_COOKIE_MAX_AGE,
    device_id_attach,
    device_id_new,
    device_id_valid,
)

Handler = Callable[[HttpRequest], HttpResponse]


class DeviceCookieMiddleware:
    """Puts the device id on the request before the view (a sign-in in this very request
    needs it) and sets the cookie on the response when the browser had none.

    HttpOnly (no script reads it), Secure when the session cookie is, SameSite=Lax. Runs
    after AuthenticationMiddleware.

    Not on a response marked `Cache-Control: public` (the help pages a signed-out visitor
    reads, helpcenter.caching): a shared cache would hand one device id to everyone, and
    the cookie would keep the page out of caches. The sign-in pages, and any other page,
    still set it; a sign-in without it in this very request still has the id attached.
    """

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        current = request.COOKIES.get(DEVICE_COOKIE)
        fresh = not device_id_valid(current)
        device_id = device_id_new() if fresh else current
        device_id_attach(request, device_id)
        response = self.get_response(request)
        if fresh and not _shared(response):
            response.set_cookie(
                DEVICE_COOKIE,
                device_id,
                max_age=DEVICE_COOKIE_MAX_AGE,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        return response


def _shared(response: HttpResponse) -> bool:
    return "public" in response.get("Cache-Control", "").replace(" ", "").split(",")
