"""Every page in zh-hans, for everyone who can see it, says everything in Chinese.

Every URL pattern (the access matrix's walk of the resolver, its parameters filled from
the world), plus the pages that change with data (each request type's form, each demo
article, category and announcement, each ticket in the console, the Chinese chat), is
asked for by an anonymous visitor, a customer, an agent, a supervisor, a security
reviewer and an administrator, with the language cookie set to zh-hans. Whatever each
answer renders (the page, an error page, a form's errors, and after a POST the page the
redirect leads to, with its flash message) must look up no msgid zh-hans lacks and show
no English word, 你 or ASCII punctuation in its Chinese (tests/i18n/zh_text.py).

The admin is held to the msgids only: its model and field names come from the models'
verbose names, most of which are not marked for translation (marking them is a
migration for every model).
"""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client

from helpcenter.models import Announcement, Article, ArticleCategory
from livechat.models import Conversation
from tests.access.matrix import HOSTILE_BODY, concrete, page_routes
from tests.i18n.conftest import ZH, ZhWorld, typed
from tests.i18n.zh_text import Typed, catalogue_misses, visible_text, zh_problems
from tickets.models import Ticket, TicketType

ACTORS = ("anonymous", "owner", "agent", "supervisor", "reviewer", "admin")
# Text shown as sent, not as Beacon writes it: what the pages render of it is machine text.
_MACHINE_TYPES = ("application/json", "application/vnd.oai.openapi", "image/", "message/rfc822")
_MACHINE_PATHS = ("/ping", "/healthz", "/api/")


class _Undo(Exception):
    pass


class Report:
    """Problems, each with the first few pages it was seen on."""

    def __init__(self) -> None:
        self.problems: dict[str, list[str]] = {}
        self.pages = 0

    def add(self, problem: str, where: str) -> None:
        seen = self.problems.setdefault(problem, [])
        if len(seen) < 3:
            seen.append(where)

    def text(self) -> str:
        lines = [f"{len(self.problems)} problem(s) on {self.pages} page renders:"]
        for problem, where in sorted(self.problems.items()):
            lines.append(f"{problem}\n      on {', '.join(where)}")
        return "\n".join(lines)


def _browser(zh_world: ZhWorld, actor: str) -> Client:
    client = Client(raise_request_exception=True)
    client.beacon_session = zh_world.world.sessions.get(actor)
    return client


def _fresh_cookies(client: Client) -> None:
    """The actor's session and the zh-hans choice, before every request (a response may
    sign the actor out or change the language cookie)."""
    client.cookies = SimpleCookie()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = ZH
    if client.beacon_session:
        client.cookies[settings.SESSION_COOKIE_NAME] = client.beacon_session


def _check(response: HttpResponse, where: str, typed: Typed, report: Report) -> None:
    report.pages += 1
    content_type = response.get("Content-Type", "")
    if where.startswith("/admin/") or response.streaming or not response.content:
        return
    if content_type.startswith(_MACHINE_TYPES) or where.startswith(_MACHINE_PATHS):
        return
    if "/raw " in where:  # an email as it arrived (.eml)
        return
    if any(path in where for path in _in_their_own_language()):
        return
    body = response.content.decode(response.charset or "utf-8", errors="replace")
    pieces = visible_text(body) if content_type.startswith("text/html") else body.splitlines()
    for problem in zh_problems(pieces, typed):
        report.add(problem, where)


def _in_their_own_language() -> list[str]:
    """A chat's transcript is in the chat's language, whoever downloads it."""
    chats = Conversation.objects.exclude(language=ZH).values_list("public_id", flat=True)
    return [f"/chat/{public_id}/transcript" for public_id in chats]


def _ask(
    client: Client, method: str, path: str, where: str, misses: set, report: Report, typed: Typed
) -> None:
    """One request (and the page its redirect leads to), undone afterwards."""
    before = set(misses)
    try:
        with transaction.atomic():
            _fresh_cookies(client)
            response = client.post(path, HOSTILE_BODY) if method == "POST" else client.get(path)
            _check(response, where, typed, report)
            target = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
            if target.startswith("/") and not target.startswith("/admin/"):
                landed = client.get(target)  # (cookies as the response left them: the flash)
                _check(landed, f"{where} -> {target}", typed, report)
            raise _Undo
    except _Undo:
        pass
    for msgid in misses - before:
        report.add(f"no zh-hans translation of msgid {msgid!r}", where)


def _data_pages(zh_world: ZhWorld) -> Iterator[str]:
    """Pages whose content depends on data the resolver walk fills only once."""
    for slug in TicketType.objects.filter(is_active=True).values_list("slug", flat=True):
        yield f"/requests/new/?type={slug}"
    for ticket in Ticket.objects.all():
        yield f"/console/tickets/{ticket.number}/"
        yield f"/requests/{ticket.number}/"
    for slug in Article.objects.filter(lang=ZH).values_list("slug", flat=True):
        yield f"/help/articles/{slug}/"
    for slug in ArticleCategory.objects.values_list("slug", flat=True):
        yield f"/help/categories/{slug}/"
    for announcement_id in Announcement.objects.values_list("id", flat=True):
        yield f"/announcements/{announcement_id}/"
    public_id = zh_world.conversation.public_id
    yield from (f"/chat/{public_id}/", f"/chat/{public_id}/transcript")
    yield f"/console/chats/{public_id}/context"
    yield from ("/help/search/?q=充值", "/help/search/?q=提现没到账", "/console/?q=提现")


def _pages(zh_world: ZhWorld) -> list[str]:
    return [concrete(key, zh_world.world) for key in page_routes()] + list(_data_pages(zh_world))


@pytest.fixture
def browsers(zh_world: ZhWorld) -> dict[str, Client]:
    return {actor: _browser(zh_world, actor) for actor in ACTORS}


def test_every_page_is_chinese_in_zh_hans(zh_world, browsers):
    # given
    report, as_typed = Report(), typed()
    # when
    with catalogue_misses() as misses:
        for path in _pages(zh_world):
            for actor, client in browsers.items():
                _ask(client, "GET", path, f"{path} ({actor})", misses, report, as_typed)
    # then
    assert report.pages > 1500
    assert not report.problems, report.text()


def test_every_form_answer_and_flash_message_is_chinese_in_zh_hans(zh_world, browsers):
    """Each route posted to with the fields most forms read: the refusals, the field
    errors and the messages on the page the redirect leads to."""
    # given
    report, as_typed = Report(), typed()
    # when
    with catalogue_misses() as misses:
        for path in _pages(zh_world):
            if path.startswith(("/admin/", "/api/")):
                continue
            for actor, client in browsers.items():
                _ask(client, "POST", path, f"POST {path} ({actor})", misses, report, as_typed)
    # then
    assert report.pages > 1000
    assert not report.problems, report.text()
