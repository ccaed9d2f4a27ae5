"""nginx with deploy/nginx/ in front of the app, over real sockets: HTTPS with HTTP/2, the
websocket upgrade, the size limits, and the forwarding headers a client cannot choose.

The proxy and its two web processes are the `stack` fixture (tests/deploy/conftest.py);
tests/deploy/web_app.py is Beacon's application plus an echo of what reached it.
"""

from __future__ import annotations

import json
import socket
import uuid

import httpx
import pytest
from websockets.sync.client import connect

from accounts.models import User
from livechat.services.conversations import conversation_start
from tests.deploy.proxy import ECHO, SERVER_HEADER
from tests.livechat.test_two_servers import signed_in_session

# A bound on waiting for a frame that must come; not a speed test.
FRAME_WAIT = 10
# deploy/nginx/nginx.conf.template: client_max_body_size and large_client_header_buffers.
MAX_BODY = 110 * 1024 * 1024
HEADER_BUFFER = 8 * 1024


def client(stack, *, http2: bool = True) -> httpx.Client:
    return httpx.Client(base_url=stack.proxy.url, http2=http2, verify=stack.tls(), timeout=30)


def echo(stack, *, http2: bool = True, **kwargs) -> dict:
    with client(stack, http2=http2) as browser:
        response = browser.get(ECHO, **kwargs)
    assert response.status_code == 200
    return response.json()


def reached_app(stack, marker: str) -> int:
    """How many requests carrying `marker` in their path the web processes logged."""
    return sum(web.output().count(marker) for web in stack.webs)


def headers_named(seen: dict, name: str) -> list[str]:
    return [value for header, value in seen["headers"] if header == name]


def test_a_page_comes_through_over_https_and_http2(stack):
    with client(stack) as browser:
        # when: a browser that speaks HTTP/2 asks for the help centre and a static file twice
        page = browser.get("/")
        static_url = f"/static/css/beacon.css?v={uuid.uuid4().hex}"
        static = [browser.get(static_url) for _ in range(2)]
    # then: the page is Beacon's, over HTTP/2, from one of the web processes
    assert (page.status_code, page.http_version) == (200, "HTTP/2")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers[SERVER_HEADER] in {"a", "b"}
    # and: the static file comes from the app once, then from the proxy's cache
    assert [response.status_code for response in static] == [200, 200]
    assert [response.headers["x-cache-status"] for response in static] == ["MISS", "HIT"]
    assert static[0].content == static[1].content and b"{" in static[0].content


def test_liveness_answers_through_the_proxy_and_readiness_does_not(stack):
    # /healthz costs a database and Redis round trip: the orchestrator asks the web
    # process itself; from outside only the free /ping answers.
    with client(stack) as browser:
        assert browser.get("/ping").status_code == 200
        assert browser.get("/healthz").status_code == 404
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.webs[0].port}") as inside:
        assert inside.get("/healthz").status_code == 200


def test_plain_http_is_redirected_to_https_and_never_reaches_the_app(stack):
    marker = uuid.uuid4().hex
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.proxy.http_port}") as browser:
        response = browser.get(f"/ping?{marker}", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 301
    assert response.headers["location"] == f"https://127.0.0.1/ping?{marker}"
    # (the count is of the web processes' access logs, which do name what reaches them)
    with client(stack) as browser:
        assert browser.get(f"/ping?{marker}").status_code == 200
    assert reached_app(stack, marker) == 1


@pytest.mark.django_db(transaction=True)
def test_a_chat_socket_upgrades_through_the_proxy(stack):
    # given: Mei's chat
    mei = User.objects.create_user("mei@example.test", "pw-long-enough-1")
    session_key = signed_in_session(mei)
    conversation = conversation_start(user=mei, session_key=session_key, language="en")
    public_id = str(conversation.public_id)
    # when: her browser opens its socket through the proxy (wss://, the page's origin)
    with connect(
        f"wss://127.0.0.1:{stack.proxy.https_port}/ws/chat/{public_id}/",
        ssl=stack.tls(),
        origin=stack.proxy.origin,
        additional_headers={"Cookie": f"sessionid={session_key}"},
        open_timeout=FRAME_WAIT,
    ) as tab:
        # then: the handshake reached a web process, and the chat's first frames come back
        assert tab.response.status_code == 101
        path = f"/ws/chat/{public_id}/"
        assert sorted(web.sockets_accepted(path) for web in stack.webs) == [0, 1]
        hello, greeting = (json.loads(tab.recv(timeout=FRAME_WAIT)) for _ in range(2))
        assert hello["type"] == "hello" and hello["conversation"]["id"] == public_id
        assert greeting["message"]["sender"] == "bot"
        # and: a frame goes up and its acknowledgement comes down
        tab.send(json.dumps({"type": "message.send", "client_id": "p-1", "body": "Hello"}))
        frames = [json.loads(tab.recv(timeout=FRAME_WAIT)) for _ in range(1)]
        assert frames[0]["type"] == "message.ack" and frames[0]["client_id"] == "p-1"


def raw_request(stack, head: str) -> int:
    """Send `head` (request line and headers, no body) over TLS and HTTP/1.1; the status."""
    with socket.create_connection(("127.0.0.1", stack.proxy.https_port), timeout=30) as raw:
        with stack.tls().wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(head.encode())
            answer = b""
            while b"\r\n" not in answer:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                answer += chunk
    return int(answer.split(b" ", 2)[1])


def test_an_oversized_body_is_refused_with_413_before_the_app(stack):
    marker = uuid.uuid4().hex
    # when: a client announces a body past the limit (nginx answers before reading it)
    status = raw_request(
        stack,
        f"POST {ECHO}?{marker} HTTP/1.1\r\nHost: 127.0.0.1:{stack.proxy.https_port}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {MAX_BODY + 1}\r\n\r\n",
    )
    # then
    assert status == 413
    # and: a body of several megabytes (an attachment) passes whole, over HTTP/2 too
    with client(stack) as browser:
        response = browser.post(f"{ECHO}?{marker}", content=b"\x00" * (3 * 1024 * 1024))
    assert (response.status_code, response.json()["body_bytes"]) == (200, 3 * 1024 * 1024)
    assert reached_app(stack, marker) == 1  # the second only


def test_an_oversized_url_or_header_is_refused_before_the_app(stack):
    marker = uuid.uuid4().hex
    long_url = f"/ping?{marker}&q=" + "x" * HEADER_BUFFER
    long_header = {"X-Padding": "x" * HEADER_BUFFER}
    with client(stack, http2=False) as browser:
        # then: HTTP/1.1 answers 414 for the URL and 400 for the header (nginx has no 431)
        assert browser.get(long_url).status_code == 414
        assert browser.get(f"/ping?{marker}", headers=long_header).status_code == 400
        # and: well under the limits passes
        assert browser.get(f"/ping?{marker}&q=" + "x" * (HEADER_BUFFER // 2)).status_code == 200
    # and: over HTTP/2 a field past the buffer ends the connection (GOAWAY, ENHANCE_YOUR_CALM)
    # with no status; the size counted is the field's as sent (HPACK's Huffman coding makes
    # 16 KiB of hex about 11 KiB)
    with client(stack) as browser:
        with pytest.raises(httpx.RemoteProtocolError):
            browser.get(f"/ping?{marker}&q={uuid.uuid4().hex * (HEADER_BUFFER // 16)}")
    assert reached_app(stack, marker) == 1  # the one under the limits


SPOOFED = {
    "X-Forwarded-For": "203.0.113.9, 198.51.100.7",
    "X-Real-IP": "203.0.113.9",
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Port": "80",
    "Forwarded": "for=203.0.113.9;proto=http;host=evil.example",
    "X-Request-ID": "chosen-by-the-client",
}


@pytest.mark.parametrize("http2", [True, False], ids=["http2", "http1.1"])
def test_forwarding_headers_a_client_sends_do_not_reach_the_app(stack, http2):
    # when: a client sends its own forwarding headers
    seen = echo(stack, http2=http2, headers=SPOOFED)
    # then: the app gets nginx's: the TCP peer as the only address, https, and no other
    assert headers_named(seen, "x-forwarded-for") == ["127.0.0.1"]
    assert headers_named(seen, "x-real-ip") == ["127.0.0.1"]
    assert headers_named(seen, "x-forwarded-proto") == ["https"]
    for dropped in ("x-forwarded-host", "x-forwarded-port", "forwarded"):
        assert headers_named(seen, dropped) == []
    (request_id,) = headers_named(seen, "x-request-id")
    assert request_id != SPOOFED["X-Request-ID"] and len(request_id) == 32
    # and: Django sees HTTPS, the browser's host and port, and the proxy's client address
    assert seen["is_secure"] is True
    assert seen["host"] == f"127.0.0.1:{stack.proxy.https_port}"
    assert seen["client_ip"] == "127.0.0.1"


def test_the_client_address_is_nginx_peer_even_with_repeated_headers(stack):
    # when: HTTP/1.1 with the header twice (a proxy that appended would keep both)
    head = (
        f"GET {ECHO} HTTP/1.1\r\nHost: 127.0.0.1:{stack.proxy.https_port}\r\n"
        "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-For: 198.51.100.7\r\n"
        "X-Forwarded-Proto: http\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", stack.proxy.https_port), timeout=30) as raw:
        with stack.tls().wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(head.encode())
            answer = b""
            while chunk := tls.recv(65536):
                answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split(b" ")[1] == b"200"
    seen = json.loads(rest.partition(b"\r\n\r\n")[2])
    # then
    assert headers_named(seen, "x-forwarded-for") == ["127.0.0.1"]
    assert headers_named(seen, "x-forwarded-proto") == ["https"]
