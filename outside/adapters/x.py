"""X (Twitter) direct messages: the Account Activity API webhook and the DM endpoint.

https://docs.x.com/x-api/enterprise-gnip-2.0/fundamentals/account-activity:
- GET with `crc_token`: answer {"response_token": "sha256=" + base64(HMAC-SHA256(
  consumer secret, crc_token))}, when registering and hourly after;
- POST: the x-twitter-webhooks-signature header is "sha256=" + base64(HMAC-SHA256(
  consumer secret, body)); the body's `direct_message_events` are the DMs, `users` names
  their senders. Our own DMs come back too (sender = for_user_id): ignored.
Replies: POST /2/dm_conversations/with/:participant_id/messages with the account's
OAuth 2.0 user token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings
from django.http import JsonResponse

from outside.adapters.base import (
    BadRequest,
    ChannelAdapter,
    InboundMessage,
    Parsed,
    Refused,
    SendError,
    id_field,
    register,
    text_field,
)

SIGNATURE_HEADER = "HTTP_X_TWITTER_WEBHOOKS_SIGNATURE"


def signature(secret: str, payload: bytes) -> str:
    digest = hmac.new(secret.encode(), payload, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


@register
class XAdapter(ChannelAdapter):
    platform = "x"

    def configured(self) -> bool:
        return bool(settings.OUTSIDE_X_CONSUMER_SECRET and settings.OUTSIDE_X_ACCESS_TOKEN)

    def crc(self, crc_token: str) -> JsonResponse:
        if not crc_token or len(crc_token) > 200:
            raise BadRequest("bad crc_token")
        return JsonResponse(
            {"response_token": signature(settings.OUTSIDE_X_CONSUMER_SECRET, crc_token.encode())}
        )

    def handshake(self, request) -> JsonResponse | None:
        return self.crc(request.GET.get("crc_token", "")) if request.method == "GET" else None

    def verify(self, request) -> None:
        given = request.META.get(SIGNATURE_HEADER, "")
        expected = signature(settings.OUTSIDE_X_CONSUMER_SECRET, self.body(request))
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise Refused("bad x-twitter-webhooks-signature")

    def read(self, payload: dict) -> Parsed:
        events = payload.get("direct_message_events", [])
        users = payload.get("users") if isinstance(payload.get("users"), dict) else {}
        if not isinstance(events, list):
            raise BadRequest("direct_message_events is not a list")
        ours = id_field(payload.get("for_user_id"))
        messages = []
        for event in events[:50]:
            if not isinstance(event, dict) or event.get("type") != "message_create":
                continue
            create = event.get("message_create")
            if not isinstance(create, dict):
                raise BadRequest("message_create is not an object")
            sender_id, event_id = id_field(create.get("sender_id")), id_field(event.get("id"))
            data = create.get("message_data")
            text = text_field(data.get("text")) if isinstance(data, dict) else ""
            if not sender_id or not event_id:
                raise BadRequest("bad ids")
            if sender_id == ours or not text:
                continue
            user = users.get(sender_id) if isinstance(users.get(sender_id), dict) else {}
            screen_name = text_field(user.get("screen_name"), 64)
            messages.append(
                InboundMessage(
                    platform=self.platform,
                    event_id=event_id,
                    user_id=sender_id,
                    handle=f"@{screen_name}" if screen_name else sender_id,
                    text=text,
                    message_id=event_id,
                    language="zh-hans" if str(user.get("lang", "")).startswith("zh") else "",
                )
            )
        return Parsed(messages=messages)

    def send(self, *, target: str, text: str, idempotency_key: str) -> str:
        url = f"{settings.OUTSIDE_X_API_BASE}/2/dm_conversations/with/{target}/messages"
        reply = self.post_json(
            url,
            {"text": text},
            headers={"Authorization": f"Bearer {settings.OUTSIDE_X_ACCESS_TOKEN}"},
        )
        data = reply.get("data")
        if not isinstance(data, dict) or not data.get("dm_event_id"):
            raise SendError("x gave no dm_event_id", transient=True)
        return str(data["dm_event_id"])
