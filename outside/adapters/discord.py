"""Discord: an interactions endpoint (slash commands) and replies by direct message.

https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint: each
request is signed with the application's Ed25519 key over timestamp + body
(X-Signature-Ed25519, X-Signature-Timestamp); a PING (type 1) is answered with a PONG.
Commands (type 2): `/support message:<text>` and `/link code:<code>`, answered at once
with an ephemeral note; the desk's replies go to the user's DM channel
(POST /users/@me/channels, then /channels/:id/messages with a nonce the API enforces).
A DM typed to the bot reaches bots only over the Gateway (outside/discord_gateway.py,
`manage.py outside_discord_gateway`): gateway_message() reads its MESSAGE_CREATE, and the
DM's channel is remembered (DM_CHANNEL + id as the contact's reply_to) so replies go
straight to it.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

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

PING, APPLICATION_COMMAND = 1, 2
PONG, CHANNEL_MESSAGE_WITH_SOURCE = 1, 4
EPHEMERAL = 1 << 6
# A send target that is a DM channel already known (from a Gateway DM), not a user id:
# both are bare snowflakes, so the prefix tells them apart.
DM_CHANNEL = "channel:"
# Message types a person types: DEFAULT and REPLY (joins, pins, calls are not questions).
# https://discord.com/developers/docs/resources/message#message-object-message-types
TYPED_MESSAGE_TYPES = {0, 19}


def _language(locale) -> str:
    return "zh-hans" if isinstance(locale, str) and locale.startswith("zh") else "en"


def _text_language(text: str) -> str:
    """A DM carries no locale: Chinese characters in it are the hint there is."""
    return "zh-hans" if any("\u4e00" <= char <= "\u9fff" for char in text) else ""


def _option(data: dict, name: str) -> str:
    for option in data.get("options") or []:
        if isinstance(option, dict) and option.get("name") == name:
            return text_field(option.get("value"))
    return ""


@register
class DiscordAdapter(ChannelAdapter):
    platform = "discord"

    def configured(self) -> bool:
        return bool(settings.OUTSIDE_DISCORD_PUBLIC_KEY and settings.OUTSIDE_DISCORD_BOT_TOKEN)

    def verify(self, request) -> None:
        signature = request.META.get("HTTP_X_SIGNATURE_ED25519", "")
        try:
            key = Ed25519PublicKey.from_public_bytes(
                bytes.fromhex(settings.OUTSIDE_DISCORD_PUBLIC_KEY)
            )
            key.verify(
                bytes.fromhex(signature), self.signed_at(request).encode() + self.body(request)
            )
        except (ValueError, InvalidSignature) as error:
            raise Refused("bad Ed25519 signature") from error

    def signed_at(self, request) -> str:
        return request.META.get("HTTP_X_SIGNATURE_TIMESTAMP", "")

    def read(self, interaction: dict) -> Parsed:
        kind = interaction.get("type")
        if kind == PING:
            return Parsed(response=JsonResponse({"type": PONG}))
        if kind != APPLICATION_COMMAND:
            raise BadRequest("unsupported interaction type")
        data = interaction.get("data")
        member = interaction.get("member")
        user = member.get("user") if isinstance(member, dict) else interaction.get("user")
        interaction_id = id_field(interaction.get("id"))
        if not isinstance(data, dict) or not isinstance(user, dict) or not interaction_id:
            raise BadRequest("command without data or user")
        user_id = id_field(user.get("id"))
        if not user_id:
            raise BadRequest("bad user id")
        name = data.get("name")
        if name == "support":
            text = _option(data, "message")
        elif name == "link":
            text = f"/link {_option(data, 'code')}"
        else:
            raise BadRequest("unknown command")
        language = _language(interaction.get("locale"))
        with translation.override(language):
            note = _("Thank you. Beacon support will answer you in your direct messages.")
        username = text_field(user.get("username"), 64)
        message = InboundMessage(
            platform=self.platform,
            event_id=interaction_id,
            user_id=user_id,
            handle=f"@{username}" if username else user_id,
            text=text.strip() or "/start",
            message_id=interaction_id,
            language=language,
        )
        return Parsed(
            messages=[message],
            response=JsonResponse(
                {"type": CHANNEL_MESSAGE_WITH_SOURCE, "data": {"content": note, "flags": EPHEMERAL}}
            ),
        )

    def gateway_message(self, message: dict, *, bot_user_id: str) -> InboundMessage | None:
        """A Gateway MESSAGE_CREATE's `d`, if it is a person's DM to the bot: not a guild
        channel's (guild_id), not ours nor another bot's or a webhook's, typed text.
        https://discord.com/developers/docs/events/gateway-events#message-create"""
        author = message.get("author")
        if message.get("guild_id") or message.get("webhook_id") or not isinstance(author, dict):
            return None
        if author.get("bot") is True or message.get("type") not in TYPED_MESSAGE_TYPES:
            return None
        user_id, message_id = id_field(author.get("id")), id_field(message.get("id"))
        channel_id = id_field(message.get("channel_id"))
        text = text_field(message.get("content"))
        if not user_id or user_id == bot_user_id or not message_id or not channel_id:
            return None
        if not text.strip():
            return None  # an attachment or a sticker alone: nothing the desk can read
        username = text_field(author.get("username"), 64)
        return InboundMessage(
            platform=self.platform,
            # Message ids are snowflakes, unique across Discord as interaction ids are: a
            # MESSAGE_CREATE replayed by a RESUME (or sent twice) is stored once.
            event_id=message_id,
            user_id=user_id,
            handle=f"@{username}" if username else user_id,
            text=text,
            message_id=message_id,
            reply_to=DM_CHANNEL + channel_id,
            language=_text_language(text),
        )

    def send(self, *, target: str, text: str, idempotency_key: str) -> str:
        headers = {"Authorization": f"Bot {settings.OUTSIDE_DISCORD_BOT_TOKEN}"}
        base = settings.OUTSIDE_DISCORD_API_BASE
        if target.startswith(DM_CHANNEL):
            channel_id = id_field(target.removeprefix(DM_CHANNEL))
        else:  # a user who only used the slash commands: open (or find) the DM channel
            channel = self.post_json(
                f"{base}/users/@me/channels", {"recipient_id": target}, headers=headers
            )
            channel_id = id_field(channel.get("id"))
        if not channel_id:
            raise SendError("discord gave no DM channel", transient=True)
        posted = self.post_json(
            f"{base}/channels/{channel_id}/messages",
            # Discord drops a second message with the same nonce (for a few minutes).
            {
                "content": text,
                "nonce": idempotency_key[-25:],
                "enforce_nonce": True,
                "allowed_mentions": {"parse": []},  # a reply never pings anyone
            },
            headers=headers,
        )
        if not posted.get("id"):
            raise SendError("discord gave no message id", transient=True)
        return str(posted["id"])
