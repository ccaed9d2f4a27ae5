"""One boundary for characters no person types: NUL, lone surrogates, bytes that are not
UTF-8. Checked here for every request, so a new view cannot forget.

- in the path: 404 (no page has such a name);
- in the query string or a form field: 400 (the API's error shape under /api/);
- in a cookie: the cookie is ignored. Cookies can be planted from a sibling domain, and
  refusing every request that carries one would lock its owner out of Beacon.

Bodies sent to the API (JSON or forms) are its serializers' to check: DRF's CharField
refuses NUL and lone surrogates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import unquote_to_bytes

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _lazy

from core.text import is_storable

API_PREFIX = "/api/"
# Control characters too: no Beacon URL has one, and they only serve to forge log lines.
_BAD_IN_PATH = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class HostileInput(ValueError):
    pass


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _drop_hostile_cookies(request)
        if not _path_ok(request):
            return _refuse(request, 404, _lazy("There is no such page."))
        try:
            _check_strings(_query_strings(request))
        except HostileInput:
            return _refuse(
                request, 400, _lazy("The address holds characters that are not allowed.")
            )
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        if not _form_to_check(request, view):
            return None
        try:
            _check_strings(_form_strings(request))
        except HostileInput:
            return _refuse(request, 400, _lazy("The form holds characters that are not allowed."))
        return None


def _refuse(request: HttpRequest, status: int, message: Promise) -> HttpResponse:
    """The API's error shape under /api/; elsewhere the site's own 400 or 404 page.

    In the visitor's language from the cookie or the browser, and as seen signed out:
    this runs before the LocaleMiddleware and before the session.
    """
    with translation.override(translation.get_language_from_request(request)):
        if request.path.startswith(API_PREFIX):
            code = "not_found" if status == 404 else "invalid_characters"
            body = {"message": str(message), "code": code, "extra": {}}
            return JsonResponse(body, status=status)
        page = render_to_string(f"{status}.html", {"user": AnonymousUser()})
    return HttpResponse(page, status=status)


def _path_ok(request: HttpRequest) -> bool:
    if _BAD_IN_PATH.search(request.path_info):
        return False
    try:
        _raw_path(request).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _raw_path(request: HttpRequest) -> bytes:
    """The path's bytes as the client sent them, percent-escapes decoded.

    (Django keeps undecodable bytes percent-escaped in `path_info`, and ASGI servers turn
    them into U+FFFD, so `path_info` alone cannot tell.)
    """
    scope = getattr(request, "scope", None)
    if scope is not None:  # ASGI: raw_path is optional; without it, path_info is all there is
        return unquote_to_bytes(scope.get("raw_path") or b"")
    return request.META.get("PATH_INFO", "").encode("latin-1", "replace")  # WSGI: bytes as latin-1


def _query_strings(request: HttpRequest) -> Iterator[str]:
    """Every name and value in the query string, decoded strictly (HostileInput if not UTF-8)."""
    scope = getattr(request, "scope", None)
    if scope is not None:  # ASGI: bytes by the specification; Django's test client sends str
        raw = scope.get("query_string", b"")
        raw = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    else:
        raw = request.META.get("QUERY_STRING", "").encode("latin-1", "replace")
    for pair in raw.split(b"&") if raw else ():
        for part in pair.split(b"=", 1):
            try:
                yield unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise HostileInput from exc


def _form_to_check(request: HttpRequest, view) -> bool:
    """Forms posted to views that CSRF protects: its middleware reads those forms anyway.
    (Views exempt from it are the API's, whose serializers check their own fields, and the
    mail webhook, which needs its raw body unread.)"""
    return (
        request.method == "POST"
        and request.content_type.startswith(_FORM_TYPES)
        and not getattr(view, "csrf_exempt", False)
    )


def _form_strings(request: HttpRequest) -> Iterator[str]:
    for name, values in request.POST.lists():
        yield name
        yield from values
    for name, files in request.FILES.lists():
        yield name
        yield from (upload.name or "" for upload in files)


def _check_strings(strings: Iterable[str]) -> None:
    if not all(is_storable(text) for text in strings):
        raise HostileInput


def _drop_hostile_cookies(request: HttpRequest) -> None:
    for name in [n for n, v in request.COOKIES.items() if not (is_storable(n) and is_storable(v))]:
        del request.COOKIES[name]
