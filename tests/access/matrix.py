"""The machinery of the access matrix: find every route, fill its parameters from the
world, ask as each actor, and name the answer in the table's words.

Answers, as the table writes them:

- a status code (`200`, `403`, `404`, `405`, `400`, `401`…), or `3xx` for a redirect
  that is none of these:
- `login`: a redirect to the sign-in page; `alogin`: to the admin's sign-in page;
- `mfa`: the staff 2FA rule (a redirect to the TOTP set-up page, or the API's 403
  `mfa_required`);
- sockets: `open` (accepted and still open), `4401`/`4403` (accepted, then closed with
  that code, which a browser sees), `x4401`/`x4403` (refused before the handshake, which a
  browser sees only as 1006).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie

from allauth.mfa.models import Authenticator
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from tests.access.world import World, admin_models, first_row
from tickets.models import Macro

LOGIN = settings.LOGIN_URL
ADMIN_LOGIN = "/admin/login/"
MFA_SETUP = "/accounts/2fa/totp/activate/"
DENIALS = {"login", "alogin", "mfa", "401", "403", "404", "405"}
# Fields most forms and APIs read, with values that would pass their validation: a
# denied request is then refused for who asks, not for what was sent.
HOSTILE_BODY = {
    "body": "hijack",
    "subject": "hijack",
    "status": "solved",
    "priority": "urgent",
    "rating": "1",
    "comment": "x",
    "internal": "true",
    "reason": "hijack",
    "decision": "approve",
    "approve": "1",
    "answer": "yes",
    "tags": "hijacked",
    "assignee": "",
    "email": "attacker@example.test",
    "q": "owner",
}
# Tables a request may write whoever asks: the session and allauth's activity stamp.
BOOKKEEPING_TABLES = {"django_session", "usersessions_usersession"}
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


# ---------------------------------------------------------------------------- routes


def route_key(prefix: str, pattern) -> str:
    """A route as the table names it: converters dropped (`<int:id>` is `<id>`), regex
    groups shown as `<name>`, anchors removed."""
    text = _REGEX_GROUP.sub(r"<\1>", str(pattern)).replace("^", "").replace("$", "")
    return prefix + _PARAM.sub(r"<\1>", text)


def _walk(resolver: URLResolver, prefix: str) -> Iterator[str]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, route_key(prefix, entry.pattern))
        else:
            assert isinstance(entry, URLPattern)
            yield route_key(prefix, entry.pattern)


def page_routes() -> list[str]:
    """Every URL pattern of config.urls, the admin's and allauth's included."""
    return list(_walk(get_resolver(), "/"))


def api_operations() -> list[str]:
    """Every operation of the OpenAPI schema drf-spectacular serves: 'GET /api/v1/…'."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    ]


def _websocket_router(application) -> URLRouter:
    app = application.application_mapping["websocket"]
    while not isinstance(app, URLRouter):
        app = getattr(app, "inner", None) or app.application  # middleware, origin check
    return app


def _socket_walk(router: URLRouter, prefix: str) -> Iterator[str]:
    for route in router.routes:
        key = route_key(prefix, route.pattern)
        inner = getattr(route.callback, "__wrapped__", route.callback)
        if isinstance(inner, URLRouter):
            yield from _socket_walk(inner, key)
        else:
            yield "WS " + key


def socket_routes() -> list[str]:
    """Every websocket route of the ASGI application config.asgi serves."""
    from config.asgi import application

    return list(_socket_walk(_websocket_router(application), "/"))


# ---------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Row:
    method: str
    expected: dict[str, str]


def parse_table(table: dict[str, str], actors: tuple[str, ...]) -> dict[str, Row]:
    rows = {}
    for key, text in table.items():
        method, *answers = text.split()
        assert len(answers) == len(actors), f"{key}: {len(answers)} answers for {len(actors)}"
        rows[key] = Row(method, dict(zip(actors, answers, strict=True)))
    return rows


# ---------------------------------------------------------------------------- parameters


def _by_name(world: World) -> dict[str, object]:
    owner = world.users["owner"]
    return {
        "number": world.ticket.number,
        "attachment_id": world.attachment_id,
        "uid": owner.uid,
        "appeal_id": world.appeal.id,
        "submission_id": world.kyc.id,
        "document_id": world.kyc.documents.order_by("id").first().id,
        "reset_id": world.reset.id,
        "email_id": world.email.id,
        "public_id": world.conversation.public_id,
        "agent_id": world.users["agent"].id,
        "macro_id": Macro.objects.order_by("id").first().id,
        "topic_id": world.forum_post.topic_id,
        "post_id": world.forum_post.id,
        "platform": "telegram",
        "incident_id": world.incident_link.incident_id,
        "link_id": world.incident_link.id,
        "announcement_id": world.announcement.id,
        "slug": world.article.slug,
        "article_id": world.article.id,
        "id": owner.id,
        "pk": Authenticator.objects.filter(user=owner).order_by("id").first().id,
        "key": "not-a-key",
        "uidb36": "1",
    }


# Parameters that mean something else on one route than their name says elsewhere.
def _special(world: World) -> dict[str, dict[str, object]]:
    return {
        "/account/freeze/not-me/<token>/": {"token": world.tokens["not_me"]},
        "/account/freeze/appeal/<token>/": {"token": world.tokens["appeal"]},
        "/account/2fa-reset/cancel/<token>/": {"token": world.tokens["reset_cancel"]},
        "/rate/<token>/": {"token": world.tokens["rating"]},
        "/community/c/<slug>/": {"slug": "getting-started"},
        "/community/c/<slug>/new/": {"slug": "getting-started"},
        "/requests/confirm/<token>/": {"token": world.tokens["sender_confirm"]},
        "/requests/created/<number>/": {"number": world.ticket.number},
        "/help/categories/<slug>/": {"slug": world.article.category.slug},
        "/console/security/2fa-resets/<reset_id>/documents/<document_id>": {
            "document_id": world.reset.selfie_id
        },
        "/admin/<app_label>/": {"app_label": "tickets"},
        "/admin/<url>": {"url": "no-such-page/"},
    }


QUERIES = {
    "/console/security/customers/": "q={uid}",
    "/chat/verify-agent": "staff_id=BCN-00001&conversation={public_id}",
    "/help/search/": "q=deposit",
    "/requests/new/suggest": "q=deposit",
    "/api/v1/helpcenter/search": "q=deposit",
}


def _admin_object(key: str) -> dict[str, object]:
    """`/admin/<app>/<model>/<object_id>/…`: the model's first row; `/admin/r/…`: an article."""
    if key.startswith("/admin/r/"):
        from django.contrib.contenttypes.models import ContentType

        from helpcenter.models import Article

        article = first_row(Article)
        return {
            "content_type_id": ContentType.objects.get_for_model(Article).id,
            "object_id": article.pk,
        }
    for name, model in admin_models().items():
        if key.startswith(f"/admin/{name}/"):
            return {"object_id": first_row(model).pk}
    return {}


def concrete(key: str, world: World) -> str:
    """The path to ask for `key`, every parameter filled from the world."""
    values = {**_by_name(world), **_admin_object(key), **_special(world).get(key, {})}
    path = key.split(" ", 1)[-1]
    path = re.sub(r"[<{](\w+)[>}]", lambda m: str(values[m.group(1)]), path)
    query = QUERIES.get(key)
    return f"{path}?{query.format(**values)}" if query else path


# ---------------------------------------------------------------------------- asking


class _Undo(Exception):
    pass


def answer_of(response: HttpResponse) -> str:
    status = response.status_code
    if 300 <= status < 400:
        target = response.get("Location", "")
        if target.startswith(LOGIN):
            return "login"
        if target.startswith(ADMIN_LOGIN):
            return "alogin"
        if target.startswith(MFA_SETUP):
            return "mfa"
        return "3xx"
    if status == 403 and response.get("Content-Type", "").startswith("application/json"):
        if b'"mfa_required"' in response.content:
            return "mfa"
    return str(status)


def client_for(world: World, actor: str, *, api: bool = False) -> Client:
    """`actor`'s browser (the API: their API key, no cookie). Its cookies are set again
    before every request (see `ask`): a response may sign the actor out or add cookies."""
    client = Client(raise_request_exception=False)  # one per actor: building one costs 60 ms
    client.beacon_cookie = None if api else world.sessions.get(actor)
    if api and actor in world.api_keys:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {world.api_keys[actor]}"
    return client


def _fresh_cookies(client: Client) -> None:
    client.cookies = SimpleCookie()
    if client.beacon_cookie:
        client.cookies[settings.SESSION_COOKIE_NAME] = client.beacon_cookie


def _writes() -> dict[str, int]:
    """Rows this transaction inserted, updated or deleted so far, per table (PostgreSQL's
    own counters; elsewhere, row counts)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
            )
            rows = dict(cursor.fetchall())
    else:
        from django.apps import apps

        rows = {m._meta.db_table: m._default_manager.count() for m in apps.get_models()}
    return {table: n for table, n in rows.items() if table not in BOOKKEEPING_TABLES}


@dataclass
class Asked:
    answer: str
    changed: list[str]  # tables written, and "mail" for an email sent


def ask(
    client: Client, method: str, path: str, *, data: dict | None = None, json: bool = False
) -> Asked:
    """One request, undone afterwards (inside a savepoint), so no cell changes the world
    the next one sees; `changed` says what it would have written."""
    _fresh_cookies(client)
    before, sent = _writes(), len(mail.outbox)
    answer = ""
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(path)
            elif json:
                response = client.post(path, data or {}, content_type="application/json")
            else:
                response = client.post(path, data or {})
            if response.streaming:  # (the test client closes it once read, safely)
                b"".join(response.streaming_content)
            answer = answer_of(response)
            after = _writes()
            raise _Undo
    except _Undo:
        pass
    changed = sorted(t for t, n in after.items() if n != before.get(t, 0))
    if len(mail.outbox) != sent:
        changed.append("mail")
    return Asked(answer, changed)


async def knock(application, path: str, cookie: str | None) -> str:
    """Open a websocket as a browser on our own origin would; name what happened."""
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=5)
    if not connected:
        return f"x{code}"
    answer = "open"
    if not await communicator.receive_nothing(timeout=0.3):
        while True:
            output = await communicator.receive_output(timeout=1)
            if output["type"] == "websocket.close":
                answer = str(output.get("code", 1000))
                break
            if await communicator.receive_nothing(timeout=0.3):
                break
    await communicator.disconnect()
    return answer


def mismatch_report(key: str, actor: str, expected: str, got: str, changed: list[str]) -> str:
    extra = f" and wrote {', '.join(changed)}" if changed else ""
    return f"{key} as {actor}: expected {expected}, got {got}{extra}"
