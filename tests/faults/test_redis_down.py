"""Redis down: the emergency freeze still works, and no page answers 500.

Beacon's web process (uvicorn, as `make run` and production run it) serves the private
PostgreSQL and Redis; the test stops Redis and then does what a customer would: sign in,
ask for a password reset, follow the "This wasn't me" link of a new-device alert and
freeze the account, freeze from the security page, start a chat, check a channel on
/verify/, search the help centre's API. Rate limits kept their counters in Redis and let
its ConnectionError through: each of these answered 500 (issue 14).

Every answer is checked by its status, every effect by the rows it left, never by how
long anything took. What each rate limit does while Redis is away is
core.ratelimit_store's to say.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import signal
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from tests.faults.conftest import PYTHON, Process, Services, run_shell, wait_until
from tests.servers import free_port

PASSWORD = "correct-horse-battery-9"
# Generous: a request may wait out a socket timeout or two; this is a bound, not a timing.
REQUEST_TIMEOUT = 60

# Customers with a verified address and a password, and a "This wasn't me" link issued
# for one of them as a new-device alert issues it; printed as JSON.
PEOPLE = """
import json, uuid
from allauth.account.models import EmailAddress
from accounts.links import link_issue, link_token
from accounts.models import OneTimeLink, User
from accounts.security.sign_ins import NOT_ME_LINK_LIFETIME

def person(name):
    email = f"{name}-{uuid.uuid4().hex[:10]}@example.test"
    user = User.objects.create_user(email, "%(password)s", language="en")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user

people = {name: person(name) for name in %(names)r}
out = {name: {"id": user.id, "email": user.email} for name, user in people.items()}
for name, user in people.items():
    link = link_issue(user=user, purpose=OneTimeLink.Purpose.NOT_ME, lifetime=NOT_ME_LINK_LIFETIME)
    out[name]["not_me"] = link_token(link)
print(json.dumps(out))
"""

# Beat's effect sweep, once, as it runs a minute after the change (its grace is over).
SWEEP = """
from django.utils import timezone
from accounts.effects import SWEEP_GRACE, effects_sweep
print(effects_sweep(now=timezone.now() + SWEEP_GRACE * 2))
"""


def people(env: dict, *names: str) -> dict[str, dict]:
    return json.loads(run_shell(env, PEOPLE % {"password": PASSWORD, "names": list(names)}))


# ---------------------------------------------------------------------------- a browser


@dataclass
class Answer:
    status: int
    body: str
    location: str

    def __repr__(self) -> str:  # the page's title (a debug page's names the exception)
        title = re.search(r"<title>(.*?)</title>", self.body, re.S)
        about = " ".join(title.group(1).split()) if title else self.body[:200]
        return f"<{self.status} {self.location or about!r}>"


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer


class Browser:
    """One person's browser without JavaScript: its own cookies; redirects not followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _KeepRedirects
        )

    def get(self, path: str) -> Answer:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, fields: dict[str, str]) -> Answer:
        """A form post, with the CSRF token a GET of the page set (fetched first if none)."""
        if self.cookie("csrftoken") is None:
            self.get(path)
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.cookie("csrftoken")})
        return self._open(urllib.request.Request(self.base + path, data=body.encode()))

    def post_json(self, path: str, data: dict, *, csrf_from: str) -> Answer:
        if self.cookie("csrftoken") is None:
            self.get(csrf_from)
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(data).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.cookie("csrftoken")},
        )
        return self._open(request)

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.jar if cookie.name == name), None)

    def _open(self, request: urllib.request.Request) -> Answer:
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return Answer(response.status, response.read().decode(), "")
        except urllib.error.HTTPError as exc:
            return Answer(
                exc.code, exc.read().decode(errors="replace"), exc.headers["Location"] or ""
            )

    def sign_in(self, email: str, password: str = PASSWORD) -> Answer:
        return self.post("/accounts/login/", {"login": email, "password": password})


@pytest.fixture
def web(services, env) -> Iterator[str]:
    """The web process (config/web.py) serving Beacon on the private servers; its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # As `make run` sets it (run_portal): links, and the origin its pages open sockets from.
    server_env = {**env, "BEACON_SITE_URL": base}
    server = Process(
        [PYTHON, "-m", "config.web", "--host", "127.0.0.1", "--port", str(port)], server_env, "web"
    )
    # Counts an earlier test left in the fallback table (all from 127.0.0.1) start over.
    services.postgres.query("DELETE FROM core_ratelimit_fallback")
    try:
        wait_until(
            lambda: Browser(base).get("/ping").status == 200, "the web process to answer /ping"
        )
        yield base
    finally:
        server.stop()
        # shown when the test fails
        print(f"--- the web process's output\n{server.output()[-20000:]}")
        server.close()


# What the database says about a person, each a count.
FROZEN = "SELECT count(*) FROM accounts_user WHERE id = %s AND NOT is_active"
ACTIVE_FREEZES = (
    "SELECT count(*) FROM accounts_accountfreeze WHERE user_id = %s AND lifted_at IS NULL"
)
SESSIONS = "SELECT count(*) FROM usersessions_usersession WHERE user_id = %s"
PENDING_FREEZE_EFFECTS = (
    "SELECT count(*) FROM accounts_accounteffect e JOIN accounts_accountfreeze f"
    " ON e.key = 'freeze:' || f.id WHERE f.user_id = %s"
    " AND e.signal = 'account_frozen' AND e.status = 'pending'"
)
SECURITY_TICKETS = (
    "SELECT count(*) FROM tickets_ticket t JOIN tickets_tickettype y ON y.id = t.type_id"
    " WHERE t.requester_id = %s AND y.slug = 'account-security'"
)


def count(services: Services, sql: str, user_id: int) -> int:
    ((value,),) = services.postgres.query(sql, (user_id,))
    return value


# ---------------------------------------------------------------------------- Redis down


def test_this_wasnt_me_link_freezes_the_account_while_redis_is_down(services, env, web):
    # given: Ana, and a thief signed in to her account in another browser
    ana = people(env, "ana")["ana"]
    thief = Browser(web)
    assert thief.sign_in(ana["email"]).status == 302
    assert thief.get("/account/security/").status == 200
    assert count(services, SESSIONS, ana["id"]) == 1
    # when: Redis goes down, and Ana follows the link in her new-device alert
    services.redis.stop()
    owner = Browser(web)
    link = f"/account/freeze/not-me/{ana['not_me']}/"
    assert owner.get(link).status == 200
    frozen = owner.post(link, {})
    # then: the account is frozen and the thief signed out
    assert frozen.status == 302
    assert owner.get(frozen.location).status == 200
    assert count(services, FROZEN, ana["id"]) == 1
    assert count(services, ACTIVE_FREEZES, ana["id"]) == 1
    assert count(services, SESSIONS, ana["id"]) == 0
    assert thief.get("/account/security/").status == 302  # to the sign-in page
    # ... and the security ticket is on record, its task lost with the broker
    assert count(services, PENDING_FREEZE_EFFECTS, ana["id"]) == 1
    assert count(services, SECURITY_TICKETS, ana["id"]) == 0
    # when: Redis is back, and beat's sweep runs (twice, as it runs every minute)
    services.redis.start()
    run_shell(env, SWEEP)
    run_shell(env, SWEEP)
    # then: the ticket, once
    assert count(services, SECURITY_TICKETS, ana["id"]) == 1
    assert count(services, PENDING_FREEZE_EFFECTS, ana["id"]) == 0


def test_sign_in_and_the_security_page_freeze_while_redis_is_down(services, env, web):
    # given: Bo, and Redis down
    bo = people(env, "bo")["bo"]
    services.redis.stop()
    browser = Browser(web)
    # when: Bo signs in (the rate limits count in the database meanwhile)
    assert browser.sign_in(bo["email"]).status == 302
    assert browser.get("/account/security/").status == 200
    # ... and freezes the account from the security page
    assert browser.get("/account/freeze/").status == 200
    frozen = browser.post("/account/freeze/", {"reason": "phone stolen"})
    # then
    assert frozen.status == 302
    assert count(services, FROZEN, bo["id"]) == 1
    assert count(services, SESSIONS, bo["id"]) == 0
    assert count(services, PENDING_FREEZE_EFFECTS, bo["id"]) == 1


def test_wrong_passwords_still_lock_the_account_while_redis_is_down(services, env, web):
    # given: Cai, and Redis down
    cai = people(env, "cai")["cai"]
    services.redis.stop()
    browser = Browser(web)
    # when: five wrong passwords, then the right one
    wrong = [browser.sign_in(cai["email"], "wrong-password-1").status for _ in range(5)]
    sixth = browser.sign_in(cai["email"])
    # then: each wrong one is refused on the page, and the sixth try is locked out
    # (5 per 5 minutes per address): brute force gains nothing from the outage
    assert wrong == [200] * 5
    assert sixth.status == 429
    assert count(services, SESSIONS, cai["id"]) == 0
    # ... while another address from the same network still signs in
    dan = people(env, "dan")["dan"]
    assert Browser(web).sign_in(dan["email"]).status == 302


def test_password_reset_while_redis_is_down(services, env, web, sink):
    # given: Dee, and Redis down
    dee = people(env, "dee")["dee"]
    services.redis.stop()
    browser = Browser(web)
    # when: she asks for a reset link
    assert browser.get("/accounts/password/reset/").status == 200
    sent = browser.post("/accounts/password/reset/", {"email": dee["email"]})
    # then: the page says it went, and it did: one email to her
    assert sent.status == 302
    wait_until(lambda: len(sink.received) == 1, "the reset email")
    assert [str(message["To"]) for message in sink.received] == [dee["email"]]


def test_chat_verify_and_search_while_redis_is_down(services, env, web):
    # given: Redis down
    services.redis.stop()
    browser = Browser(web)
    # when / then: a chat starts (its limit counts in the database)
    chat = browser.post_json("/chat/start", {"language": "en"}, csrf_from="/help/csrf-token")
    assert chat.status == 200
    assert json.loads(chat.body)["conversation"]
    # ... and the look-ups answer (their limits count nothing until Redis is back)
    assert browser.get("/verify/?value=support%40beacon.test").status == 200
    assert browser.get("/chat/verify-agent?staff_id=BCN-12345").status == 200
    assert browser.get("/api/v1/helpcenter/search?q=wallet").status == 200


def _chat_socket_close_code(web: str, browser: Browser, public_id: str) -> int | None:
    """Open the customer's chat socket as the widget does: its close code, or None if it
    stayed open and said `hello`."""
    url = web.replace("http://", "ws://") + f"/ws/chat/{public_id}/"
    cookie = f"sessionid={browser.cookie('sessionid')}"
    with ws_connect(
        url, origin=web, additional_headers={"Cookie": cookie}, open_timeout=REQUEST_TIMEOUT
    ) as socket:
        try:
            frame = json.loads(socket.recv(timeout=REQUEST_TIMEOUT))
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        assert frame["type"] == "hello", frame
        return None


def test_a_chat_socket_is_refused_with_a_code_the_widget_explains_while_redis_is_down(
    services, env, web
):
    # given: a visitor's chat, started while Redis was up
    browser = Browser(web)
    chat = json.loads(
        browser.post_json("/chat/start", {"language": "en"}, csrf_from="/help/csrf-token").body
    )
    # when: Redis goes down and the widget opens (or reopens) the chat's socket
    services.redis.stop()
    # then: it is accepted and closed with 4503 ("unavailable for a moment": the widget
    # says so and retries), not a crash the browser only sees as 1006 or 1011
    assert _chat_socket_close_code(web, browser, chat["conversation"]) == 4503
    # when: Redis is back; then the same socket opens and says hello
    services.redis.start()
    assert _chat_socket_close_code(web, browser, chat["conversation"]) is None


# ---------------------------------------------------------------------------- Redis hangs


@pytest.fixture
def hung_redis(services) -> Iterator[None]:
    """Redis stopped with SIGSTOP: connections are accepted (by the kernel) and never
    answered, as with a Redis stuck on a slow disk or behind a dropped route."""
    services.redis.process.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        services.redis.process.send_signal(signal.SIGCONT)


def test_a_redis_that_hangs_holds_no_request_for_good(services, env, web, hung_redis):
    # given: Eve, and Redis hanging (each request below is bounded by REQUEST_TIMEOUT:
    # the task publish after the freeze's commit used to wait for Redis forever)
    eve = people(env, "eve")["eve"]
    browser, owner = Browser(web), Browser(web)
    # when / then: she signs in, and freezes the account from her alert's link
    assert browser.sign_in(eve["email"]).status == 302
    assert owner.get(f"/account/freeze/not-me/{eve['not_me']}/").status == 200
    assert owner.post(f"/account/freeze/not-me/{eve['not_me']}/", {}).status == 302
    assert count(services, FROZEN, eve["id"]) == 1
    # ... and the help centre answers
    assert browser.get("/api/v1/helpcenter/search?q=wallet").status == 200
    assert browser.get("/verify/?value=support%40beacon.test").status == 200
    assert (
        browser.post_json("/chat/start", {"language": "en"}, csrf_from="/help/csrf-token").status
        == 200
    )
