"""Anonymous help pages a CDN, a proxy, the browser and the app itself may keep.

For a signed-out visitor a help page (home, category, article, search, contact,
announcements, guide, glossary) is the same for everyone who shares its language and
time zone, so `public_page`:

- answers GET and HEAD (HEAD without a body);
- renders it without a CSRF token (`LAZY_CSRF` stands in the page's POST forms, the
  language switch, the chat widget, article feedback; static/helpcenter/lazy_csrf.js
  fetches a real token from `csrf_token` when the visitor is about to use one), so no
  `csrftoken` cookie; no session is made and accounts' device cookie is not set on a
  response marked public (accounts.security.middleware);
- marks it `Cache-Control: public, max-age=60, stale-while-revalidate=300`, with an ETag
  (the body's hash) and Last-Modified (when it was rendered), and answers a conditional
  GET with 304;
- keeps the rendered page in this process for MAX_AGE seconds (LRU of MAX_PAGES), until
  the search content generation changes (an article or announcement saved anywhere), so
  a burst of visitors costs one rendering a minute per page and process. Counters a page
  bumps (a view, a search) are replayed on every hit.

Signed-in people get the same page rendered for them, `Cache-Control: private, no-cache`
(with an ETag: a 304 still saves the transfer). A page that sets a cookie anyway, or a
visitor with a flash message waiting, is never public.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

# Stands where a form's CSRF token would be; lazy_csrf.js replaces it before a POST.
LAZY_CSRF = "lazy"
MAX_AGE = 60
PUBLIC = f"public, max-age={MAX_AGE}, stale-while-revalidate=300"
PRIVATE = "private, no-cache"
# Pages kept per process: about 30 kB each, so at most ~30 MB; searches are pages too.
MAX_PAGES = 1000

View = Callable[..., HttpResponse]


@dataclass
class KeptPage:
    content: bytes
    content_type: str
    language: str
    rendered: float
    generation: int
    replay: list[tuple[Callable[..., None], dict]] = field(default_factory=list)

    def fresh(self, generation: int) -> bool:
        return self.generation == generation and time.time() - self.rendered < MAX_AGE


class PageMemory:
    """A small thread-safe LRU of kept pages (anything with `fresh(generation)`)."""

    def __init__(self, size: int) -> None:
        self._size, self._lock, self._items = size, threading.Lock(), OrderedDict()

    def get(self, key: tuple, generation: int):
        with self._lock:
            page = self._items.get(key)
            if page is None:
                return None
            if not page.fresh(generation):
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return page

    def put(self, key: tuple, page) -> None:
        with self._lock:
            self._items[key] = page
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


pages = PageMemory(MAX_PAGES)
# Whole responses for visitors without cookies, answered before the middleware stack
# (helpcenter.kept_responses); each is as fresh as the kept page behind it.
responses = PageMemory(MAX_PAGES)


def forget_all() -> None:
    """Drop every kept page and response in this process (content changed here)."""
    pages.clear()
    responses.clear()


def is_public(request: HttpRequest) -> bool:
    return getattr(request, "_helpcenter_public", False)


def context(request: HttpRequest) -> dict:
    """What a public page's template needs: the stand-in token, and the script that swaps it."""
    return {"csrf_token": LAZY_CSRF, "lazy_csrf": True} if is_public(request) else {}


def count(request: HttpRequest, counter: Callable[..., None], **kwargs: object) -> None:
    """Bump a counter for this page view now, and on each later view served from memory.
    A HEAD (a monitor, a link checker) is nobody reading: not counted."""
    if request.method != "HEAD":
        counter(**kwargs)
    if is_public(request):
        request._helpcenter_replay.append((counter, kwargs))


def _may_be_public(request: HttpRequest) -> bool:
    if request.user.is_authenticated:
        return False
    # A flash message waiting for this visitor (after signing out, say) is theirs alone.
    if CookieStorage.cookie_name in request.COOKIES:
        return False
    has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
    return not (has_session and "_messages" in request.session)


def _key(request: HttpRequest) -> tuple:
    return (
        request.get_host(),
        request.get_full_path(),
        translation.get_language(),
        timezone.get_current_timezone_name(),
    )


def generation() -> int:
    """The search content generation: a kept page made before an edit is stale."""
    from helpcenter.search import cache

    return cache.generation()


def replay(request: HttpRequest, page: KeptPage) -> None:
    """Bump the counters the page bumped when it was rendered. A HEAD is nobody reading."""
    if request.method != "HEAD":
        for counter, counted in page.replay:
            counter(**counted)


def kept_page(request: HttpRequest) -> KeptPage | None:
    """The kept page this request was answered with, if any (for kept_responses)."""
    return getattr(request, "_helpcenter_page", None)


def _from_page(page: KeptPage) -> HttpResponse:
    response = HttpResponse(page.content, content_type=page.content_type)
    response["Content-Language"] = page.language
    response["Last-Modified"] = http_date(page.rendered)
    return response


def _render(request: HttpRequest, view: View, args, kwargs) -> HttpResponse:
    key, current = _key(request), generation()
    page = pages.get(key, current)
    if page is not None:
        replay(request, page)
        request._helpcenter_page = page
        return _from_page(page)
    response = view(request, *args, **kwargs)
    if response.status_code == 200 and not response.streaming and not response.cookies:
        page = KeptPage(
            response.content,
            response["Content-Type"],
            translation.get_language(),
            time.time(),
            current,
            request._helpcenter_replay,
        )
        pages.put(key, page)
        request._helpcenter_page = page
        response["Last-Modified"] = http_date(page.rendered)
    return response


def public_page(view: View) -> View:
    """A help page anyone may read: cacheable when the visitor is signed out (see above)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        request._helpcenter_public = _may_be_public(request)
        request._helpcenter_replay = []
        if request._helpcenter_public:
            response = _render(request, view, args, kwargs)
        else:
            response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.streaming:
            return response
        public = request._helpcenter_public and not response.cookies
        response["Cache-Control"] = PUBLIC if public else PRIVATE
        set_response_etag(response)
        return conditional_answer(request, response)

    return require_safe(wrapper)


def conditional_answer(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A 304 when the request's validators match the response's ETag or Last-Modified; the
    response without its body (and with its length) for a HEAD; else the response."""
    conditional = get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )
    if conditional is not response or request.method != "HEAD":
        return conditional
    response["Content-Length"] = str(len(response.content))
    response.content = b""
    return response
