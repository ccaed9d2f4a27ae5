"""One local HTTP server that speaks the parts of the Telegram Bot API, the X API v2 and
the Discord REST API that Beacon calls, recording what it was sent.

`mode` makes it misbehave as a platform does: "down" answers 502 to everything; stop()
closes the port (connection refused), start() opens it again on the same port.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TELEGRAM_TOKEN = "123456:TEST-telegram-token"
X_TOKEN = "x-user-access-token"
DISCORD_TOKEN = "discord-bot-token"


class FakePlatforms:
    def __init__(self) -> None:
        self.sent: list[dict] = []  # what a platform would show: {"platform", "to", "text"}
        self.requests: list[tuple[str, str]] = []
        self.mode = "up"
        self.registered: dict[str, object] = {}
        self._ids = itertools.count(1000)
        self._nonces: dict[str, dict] = {}
        self._lock = threading.Lock()
        self.port = 0
        self._server = None

    # ---- lifecycle

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, reply = fake.handle(self.path, dict(self.headers), body)
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_PUT = do_POST  # noqa: N815

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def texts(self, platform: str) -> list[str]:
        return [item["text"] for item in self.sent if item["platform"] == platform]

    # ---- the APIs

    def handle(self, path: str, headers: dict, body: bytes) -> tuple[int, dict]:
        with self._lock:
            self.requests.append((path, self.mode))
            if self.mode == "down":
                return 502, {"message": "Bad Gateway"}
            try:
                payload = json.loads(body or b"{}")
            except ValueError:
                return 400, {"error": "bad json"}
            if match := re.fullmatch(r"/bot([^/]+)/setWebhook", path):
                # https://core.telegram.org/bots/api#setwebhook
                if match.group(1) != TELEGRAM_TOKEN:
                    return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                self.registered["telegram"] = payload
                return 200, {"ok": True, "result": True, "description": "Webhook was set"}
            if match := re.fullmatch(r"/bot([^/]+)/sendMessage", path):
                return self._telegram(match.group(1), payload)
            if match := re.fullmatch(r"/2/dm_conversations/with/(\d+)/messages", path):
                return self._x(match.group(1), headers, payload)
            if path.startswith("/api/v10/"):
                return self._discord(path[len("/api/v10") :], headers, payload)
            return 404, {"error": "no such endpoint"}

    def _telegram(self, token: str, payload: dict) -> tuple[int, dict]:
        # https://core.telegram.org/bots/api#making-requests
        if token != TELEGRAM_TOKEN:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if not payload.get("chat_id") or not payload.get("text"):
            return 400, {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message text is empty",
            }
        message_id = next(self._ids)
        self.sent.append(
            {"platform": "telegram", "to": str(payload["chat_id"]), "text": payload["text"]}
        )
        return 200, {
            "ok": True,
            "result": {
                "message_id": message_id,
                "chat": {"id": int(payload["chat_id"]), "type": "private"},
                "date": 1765000000,
                "text": payload["text"],
            },
        }

    def _x(self, participant: str, headers: dict, payload: dict) -> tuple[int, dict]:
        # https://docs.x.com/x-api/direct-messages/create-dm-message-by-participant-id
        if headers.get("Authorization") != f"Bearer {X_TOKEN}":
            return 401, {"title": "Unauthorized", "status": 401}
        if not payload.get("text"):
            return 400, {"title": "Invalid Request", "status": 400}
        event_id = str(next(self._ids))
        self.sent.append({"platform": "x", "to": participant, "text": payload["text"]})
        return 201, {"data": {"dm_conversation_id": f"{participant}-1", "dm_event_id": event_id}}

    def _discord(self, path: str, headers: dict, payload: dict) -> tuple[int, dict]:
        # https://discord.com/developers/docs/resources/user#create-dm
        # https://discord.com/developers/docs/resources/message#create-message
        if headers.get("Authorization") != f"Bot {DISCORD_TOKEN}":
            return 401, {"message": "401: Unauthorized", "code": 0}
        if match := re.fullmatch(r"/applications/(\d+)/commands", path):
            # https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-global-application-commands
            self.registered["discord"] = payload
            return 200, payload
        if path == "/users/@me/channels":
            recipient = str(payload.get("recipient_id", ""))
            return 200, {"id": f"9{recipient}", "type": 1, "recipients": [{"id": recipient}]}
        if match := re.fullmatch(r"/channels/(\d+)/messages", path):
            nonce = payload.get("nonce")
            if payload.get("enforce_nonce") and nonce in self._nonces:
                return 200, self._nonces[nonce]
            message = {
                "id": str(next(self._ids)),
                "channel_id": match.group(1),
                "content": payload.get("content", ""),
            }
            self.sent.append(
                {"platform": "discord", "to": match.group(1), "text": message["content"]}
            )
            if nonce:
                self._nonces[nonce] = message
            return 200, message
        return 404, {"message": "404: Not Found", "code": 0}
