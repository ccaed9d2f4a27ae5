"""Characters no person types (NUL, lone surrogates, bytes that are not UTF-8) in any path
parameter, query string, form field or JSON body: a 4xx answer, never a 5xx.

The routes are read from the URL configuration, so a view added tomorrow is attacked by
this test the day it is added. Runs on the real PostgreSQL when DATABASE_URL is set: it
is PostgreSQL that refuses NUL in text (SQLite stores it).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Role, User
from accounts.services import user_role_grant
from tickets import services
from tickets.models import Ticket, TicketType

pytestmark = pytest.mark.django_db
PASSWORD = "pw-long-enough-1"

# As an attacker sends them: percent-encoded in a URL.
NUL = "%00"
SURROGATE = "%ED%A0%80"  # U+D800 in the UTF-8 form Python (rightly) refuses to decode
NOT_UTF8 = "%FF"
PATH_ATTACKS = (NUL, SURROGATE, NOT_UTF8)

# Every name a Beacon form, query string or API body reads, so the attack reaches the
# code behind it rather than a "missing field" answer.
FIELDS = (
    "q page team queue after outcome macro rating lang value staff_id conversation next "
    "body subject status priority assignee tags number comment reason note internal type "
    "email login password code legal_name birth_date nationality client_id message "
    "uid coin network amount address txid occurred_at"
).split()

# A form that passes validation, so a hostile path parameter is what the view meets.
GOOD_FORM = {"body": "Any news?", "status": "solved", "rating": "5", "comment": "Thanks"}

_PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")


def routes(patterns=None, prefix: str = "") -> Iterator[str]:
    """Every route in the URL configuration, as its pattern text (`requests/<str:number>/`)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            assert isinstance(pattern, URLPattern)
            yield prefix + str(pattern.pattern)


def parameters(route: str) -> list[str]:
    return [m["name"] or m["group"] for m in _PLACEHOLDER.finditer(route)]


def concrete(route: str, values: dict[str, str]) -> str:
    """The route with each parameter filled in from `values` (by name), regex marks dropped."""

    def fill(match: re.Match) -> str:
        name = match["name"] or match["group"]
        if name in values:
            return values[name]
        return {"int": "999999", "uuid": str(uuid.uuid4())}.get(match["converter"], "x")

    path = _PLACEHOLDER.sub(fill, route).replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


@pytest.fixture
def people() -> dict[str, User | None]:
    customer = User.objects.create_user("customer@example.test", PASSWORD)
    agent = User.objects.create_user("agent@example.test", PASSWORD)
    user_role_grant(user=agent, role=Role.AGENT)
    supervisor = User.objects.create_user("supervisor@example.test", PASSWORD)
    user_role_grant(user=supervisor, role=Role.SUPERVISOR)
    return {"anonymous": None, "customer": customer, "agent": agent, "supervisor": supervisor}


@pytest.fixture
def ticket(people) -> Ticket:
    return services.ticket_create(
        requester=people["customer"],
        ticket_type=TicketType.objects.get(slug="other"),
        subject="My withdrawal",
        body="It never arrived.",
        field_values={},
    )


def attacks(route: str, number: str) -> Iterator[tuple[str, str, dict]]:
    """(method, path, client keyword arguments) for every way in."""
    valid = {"number": number}
    for name in parameters(route):
        for value in PATH_ATTACKS:
            yield "get", concrete(route, {**valid, name: value}), {}
        attacked = concrete(route, {**valid, name: NUL})
        yield "post", attacked, {"data": GOOD_FORM}
        yield "post", attacked, {"data": json.dumps(GOOD_FORM), "content_type": "application/json"}
    path = concrete(route, valid)
    for value in (NUL, SURROGATE, NOT_UTF8):
        yield "get", path + "?" + "&".join(f"{field}={value}" for field in FIELDS), {}
    form = "&".join(f"{field}={NUL}" for field in FIELDS)
    yield "post", path, {"data": form, "content_type": "application/x-www-form-urlencoded"}
    yield "post", path, {"data": dict.fromkeys(FIELDS, "\x00")}  # multipart
    # Every other field a NUL, the rest a lone surrogate; json.dumps writes both as \u
    # escapes, as a hostile client would.
    hostile = {field: "\u0000\ud800"[n % 2] for n, field in enumerate(FIELDS)}
    body = {**hostile, "field_values": hostile, "fields": hostile}
    yield "post", path, {"data": json.dumps(body), "content_type": "application/json"}


@pytest.mark.parametrize("who", ["anonymous", "customer", "agent", "supervisor"])
def test_hostile_characters_never_make_a_5xx(people, ticket, who):
    # given
    client = Client(raise_request_exception=False)
    user = people[who]
    failures = []
    # when
    for route in routes():
        # Each route starts from the same state: an attack on one (a freeze, a sign-out)
        # must not leave the next attacked by a frozen or signed-out user.
        with transaction.atomic():
            if user is not None:
                client.force_login(user)
            for method, path, kwargs in attacks(route, ticket.number):
                response = getattr(client, method)(path, **kwargs)
                # then
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {path} {kwargs} -> {response.status_code}")
            transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


def test_every_route_is_attacked():
    # given: the routes the issue names, and every kind of parameter
    every = list(routes())
    # then
    assert "requests/<str:number>/" in every or "requests/<ticket:number>/" in every
    assert len(every) > 100
    assert {"number", "token", "public_id", "slug"} <= {p for r in every for p in parameters(r)}


# ------------------------------------------------------------------ the examples


def client_for(user: User | None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/requests/%00/"),
        ("get", "/requests/created/%00/"),
        ("post", "/requests/%00/reply"),
        ("post", "/requests/%00/status"),
        ("post", "/requests/%00/rate"),
        ("post", "/requests/%00/complain"),
    ],
)
def test_a_nul_ticket_number_is_no_such_page(people, method, path):
    # when
    response = getattr(client_for(people["customer"]), method)(path, GOOD_FORM)
    # then
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/tickets/%00", "/api/v1/tickets/%00/reply"])
def test_the_api_answers_a_nul_ticket_number_in_its_own_shape(people, path):
    # when
    client = client_for(people["customer"])
    response = client.post(path, GOOD_FORM, headers={"accept-language": "zh-hans"})
    # then
    assert response.status_code == 404
    assert response.json() == {"message": "没有这个页面。", "code": "not_found", "extra": {}}


@pytest.mark.parametrize("path", ["/console/reports/", "/console/reports/tickets.csv"])
def test_a_nul_team_in_the_reports_is_a_bad_request(people, path):
    # when
    response = client_for(people["supervisor"]).get(path + "?team=%00")
    # then
    assert response.status_code == 400


def test_the_refusals_are_the_sites_own_pages_in_the_visitors_language():
    # given
    client = Client(headers={"accept-language": "zh-hans"})
    # when
    missing = client.get("/requests/%00/")
    bad = client.get("/help/search/?q=%00")
    # then
    assert missing.status_code == 404 and "<h1>页面不存在</h1>" in missing.content.decode()
    assert bad.status_code == 400 and "<h1>请求无效</h1>" in bad.content.decode()


def test_a_ticket_number_in_its_real_format_still_opens_the_ticket(people, ticket):
    # when
    response = client_for(people["customer"]).get(f"/requests/{ticket.number}/")
    api = client_for(people["customer"]).get(f"/api/v1/tickets/{ticket.number}")
    # then
    assert response.status_code == 200 and api.status_code == 200


def test_a_nul_in_a_form_field_is_a_bad_request_and_changes_nothing(people, ticket):
    # given
    before = ticket.messages.count()
    # when
    response = client_for(people["customer"]).post(
        f"/requests/{ticket.number}/reply", {"body": "Hello\x00"}
    )
    # then
    assert response.status_code == 400
    assert ticket.messages.count() == before


@pytest.mark.parametrize("cookie", ["sessionid", "beacon_language", "csrftoken"])
def test_a_planted_cookie_holding_nul_is_ignored(people, cookie):
    # given: `sessionid="\000…"`, which Python's cookie parser turns into NULs
    client = Client(raise_request_exception=False)
    client.cookies[cookie] = "\x00" * 40
    # when
    response = client.get("/")
    # then: the page, as for a visitor without that cookie
    assert response.status_code == 200


@pytest.mark.asyncio
async def test_the_guard_holds_under_asgi_too(async_client):
    # when
    page = await async_client.get("/requests/%00/")
    query = await async_client.get("/help/search/?q=%00")
    # then
    assert (page.status_code, query.status_code) == (404, 400)
