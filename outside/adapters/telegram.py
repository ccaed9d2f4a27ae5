"""Telegram: the Bot API webhook (setWebhook with `secret_token`) and sendMessage.

https://core.telegram.org/bots/api#setwebhook: every update carries the secret in the
X-Telegram-Bot-Api-Secret-Token header; https://core.telegram.org/bots/api#update.
Private chats only: the bot is a help desk, not a group member.
"""

from __future__ import annotations

import hmac

from django.conf import settings

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

SECRET_HEADER = "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"


def _language(code) -> str:
    return "zh-hans" if isinstance(code, str) and code.lower().startswith("zh") else "en"


@register
class TelegramAdapter(ChannelAdapter):
    platform = "telegram"

    def configured(self) -> bool:
        return bool(settings.OUTSIDE_TELEGRAM_BOT_TOKEN and settings.OUTSIDE_TELEGRAM_SECRET_TOKEN)

    def verify(self, request) -> None:
        given = request.META.get(SECRET_HEADER, "")
        expected = settings.OUTSIDE_TELEGRAM_SECRET_TOKEN
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise Refused("bad secret token")

    def read(self, update: dict) -> Parsed:
        update_id = id_field(update.get("update_id"))
        if not update_id:
            raise BadRequest("no update_id")
        message = update.get("message")
        if not isinstance(message, dict):
            return Parsed()  # edits, reactions, membership: nothing for the desk
        chat, sender = message.get("chat"), message.get("from")
        if not isinstance(chat, dict) or not isinstance(sender, dict):
            raise BadRequest("message without chat or from")
        text = text_field(message.get("text"))
        if chat.get("type") != "private" or sender.get("is_bot") is True or not text:
            return Parsed()
        user_id, chat_id = id_field(sender.get("id")), id_field(chat.get("id"))
        message_id = id_field(message.get("message_id"))
        if not user_id or not chat_id or not message_id:
            raise BadRequest("bad ids")
        handle = text_field(sender.get("username"), 64)
        handle = f"@{handle}" if handle else text_field(sender.get("first_name"), 64) or user_id
        return Parsed(
            messages=[
                InboundMessage(
                    platform=self.platform,
                    event_id=update_id,
                    user_id=user_id,
                    handle=handle,
                    text=text,
                    message_id=message_id,
                    reply_to=chat_id,
                    language=_language(sender.get("language_code")),
                )
            ]
        )

    def send(self, *, target: str, text: str, idempotency_key: str) -> str:
        # The Bot API has no idempotency key; the outbox's claim keeps a row to one send.
        url = (
            f"{settings.OUTSIDE_TELEGRAM_API_BASE}/bot{settings.OUTSIDE_TELEGRAM_BOT_TOKEN}"
            "/sendMessage"
        )
        reply = self.post_json(url, {"chat_id": target, "text": text})
        result = reply.get("result")
        if not reply.get("ok") or not isinstance(result, dict):
            raise SendError(f"telegram said {reply.get('description', 'not ok')}", transient=True)
        return str(result.get("message_id", ""))
