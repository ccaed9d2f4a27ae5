"""The application a proxied test server runs: Beacon's own (config.asgi), behind nginx as in
production, plus two things only a test needs to see what crossed the proxy.

- Every HTTP response carries `X-Beacon-Test-Server: <name>`, so a test knows which of the
  web processes behind the round robin answered; a websocket handshake carries no header
  of the app's, so the process prints `"WSCONNECT <path>"` when it accepts a socket and
  `"WSDISCONNECT <path>"` when that socket's consumer has finished.
- `/__proxy_test__/echo` answers with what reached the app: the headers as the ASGI server
  handed them over, the peer address, and what Django makes of them (is_secure() under the
  production SECURE_PROXY_SSL_HEADER, the host, the client address the audit trail and the
  throttles use), and how many body bytes arrived.

Loaded by uvicorn (config/web.py's options) in a process tests/deploy/proxy.py starts, with the test settings made to
match the test process (its secret key, channel-layer, cache and Celery queue names) and
the production settings that concern a proxy.
"""

from __future__ import annotations

import io
import json
import os

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
django.setup()

from django.conf import settings  # noqa: E402

settings.SECRET_KEY = os.environ["BEACON_TEST_SECRET_KEY"]
settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = os.environ["BEACON_TEST_LAYER_PREFIX"]
settings.CACHES["default"]["KEY_PREFIX"] = os.environ["BEACON_TEST_CACHE_PREFIX"]
settings.CELERY_TASK_DEFAULT_QUEUE = os.environ["BEACON_TEST_QUEUE"]
# As config/settings/production.py has it: only the proxy's X-Forwarded-Proto says HTTPS.
settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# As an operator sets it for the proxy (BEACON_TRUSTED_PROXIES, core/client_ip.py): its
# X-Forwarded-For is believed. The test's clients share its address, 127.0.0.1, so an
# address a client wrote that reached the app would be taken for the client's.
settings.BEACON_TRUSTED_PROXIES = ["127.0.0.1/32"]
# The pages are served at the proxy's origin, which may open the sockets.
settings.BEACON_WEBSOCKET_ORIGINS = [
    *getattr(settings, "BEACON_WEBSOCKET_ORIGINS", []),
    os.environ["BEACON_TEST_PROXY_ORIGIN"],
]
for name, value in json.loads(os.environ.get("BEACON_TEST_SETTINGS", "{}")).items():
    setattr(settings, name, value)

from django.core.handlers.asgi import ASGIRequest  # noqa: E402

from accounts.audit import client_ip  # noqa: E402
from config.asgi import application as beacon  # noqa: E402

NAME = os.environ["BEACON_TEST_SERVER_NAME"].encode()
ECHO_PATH = "/__proxy_test__/echo"
SERVER_HEADER = b"x-beacon-test-server"


async def _echo(scope, receive, send) -> None:
    body = io.BytesIO()
    while True:
        message = await receive()
        body.write(message.get("body", b""))
        if not message.get("more_body"):
            break
    size = body.tell()
    body.seek(0)
    request = ASGIRequest(scope, body)
    seen = {
        "server": NAME.decode(),
        "headers": [
            [name.decode("latin1"), value.decode("latin1")] for name, value in scope["headers"]
        ],
        "peer": scope["client"][0] if scope.get("client") else None,
        "is_secure": request.is_secure(),
        "host": request.get_host(),
        "client_ip": client_ip(request),
        "body_bytes": size,
    }
    payload = json.dumps(seen).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (SERVER_HEADER, NAME),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _socket(scope, receive, send) -> None:
    accepted = False

    async def send_told(message):
        nonlocal accepted
        if message["type"] == "websocket.accept":
            accepted = True
            print(f'"WSCONNECT {scope["path"]}"', flush=True)
        await send(message)

    try:
        await beacon(scope, receive, send_told)
    finally:
        if accepted:
            print(f'"WSDISCONNECT {scope["path"]}"', flush=True)


async def application(scope, receive, send):
    if scope["type"] == "http" and scope["path"] == ECHO_PATH:
        return await _echo(scope, receive, send)
    if scope["type"] == "websocket":
        return await _socket(scope, receive, send)

    async def send_named(message):
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (SERVER_HEADER, NAME)]}
        await send(message)

    return await beacon(scope, receive, send_named)
