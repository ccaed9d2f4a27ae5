"""Point the platforms at Beacon: `manage.py outside_register telegram` (setWebhook with
the secret token) and `manage.py outside_register discord --application-id ID` (the
/support and /link commands). X's webhook is registered in the developer portal or with
its Account Activity API; this prints the address to give it.

Run again after changing BEACON_SITE_URL or a secret: each call replaces what is there.
"""

from __future__ import annotations

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from outside.adapters import adapter_for

# https://discord.com/developers/docs/interactions/application-commands
DISCORD_COMMANDS = [
    {
        "name": "support",
        "type": 1,
        "description": "Ask Beacon support a question",
        "description_localizations": {"zh-CN": "向 Beacon 客服提问"},
        "options": [
            {
                "name": "message",
                "type": 3,
                "required": True,
                "description": "Your question (never your password or recovery phrase)",
                "description_localizations": {"zh-CN": "您的问题（切勿填写密码或助记词）"},
                "max_length": 4000,
            }
        ],
    },
    {
        "name": "link",
        "type": 1,
        "description": "Link your Beacon account with a code from Account > Linked channels",
        "description_localizations": {
            "zh-CN": "使用“已关联的渠道”页面的验证码关联您的 Beacon 账户"
        },
        "options": [
            {
                "name": "code",
                "type": 3,
                "required": True,
                "description": "The one-time code",
                "description_localizations": {"zh-CN": "一次性验证码"},
                "max_length": 32,
            }
        ],
    },
]


class Command(BaseCommand):
    help = "Register Beacon's webhook (Telegram) or commands (Discord) with a platform."

    def add_arguments(self, parser) -> None:
        parser.add_argument("platform", choices=["telegram", "x", "discord"])
        parser.add_argument("--application-id", default="", help="Discord's application id")

    def handle(self, *args, platform: str, application_id: str, **options) -> None:
        adapter = adapter_for(platform)
        if not adapter.configured():
            raise CommandError(
                f"{platform} is not configured (see README, 'Telegram, X and Discord')"
            )
        url = settings.SITE_URL + reverse("outside:webhook", kwargs={"platform": platform})
        if platform == "telegram":
            reply = self._call(
                "POST",
                f"{settings.OUTSIDE_TELEGRAM_API_BASE}/bot{settings.OUTSIDE_TELEGRAM_BOT_TOKEN}"
                "/setWebhook",
                {
                    "url": url,
                    "secret_token": settings.OUTSIDE_TELEGRAM_SECRET_TOKEN,
                    "allowed_updates": ["message"],
                },
            )
            if not reply.get("ok"):
                raise CommandError(f"Telegram refused: {reply.get('description', reply)}")
            self.stdout.write(f"Telegram will post updates to {url}")
        elif platform == "discord":
            if not application_id.isdigit():
                raise CommandError("--application-id (digits, from the developer portal) is needed")
            self._call(
                "PUT",
                f"{settings.OUTSIDE_DISCORD_API_BASE}/applications/{application_id}/commands",
                DISCORD_COMMANDS,
                headers={"Authorization": f"Bot {settings.OUTSIDE_DISCORD_BOT_TOKEN}"},
            )
            self.stdout.write(
                f"Discord commands /support and /link registered; set the application's "
                f"Interactions Endpoint URL to {url}"
            )
        else:
            self.stdout.write(
                f"Register {url} as the Account Activity webhook of the support account "
                "(X answers its CRC check at once), then subscribe the account to it."
            )

    def _call(self, method: str, url: str, payload, headers: dict | None = None) -> dict:
        try:
            response = httpx.request(
                method,
                url,
                json=payload,
                headers=headers or {},
                timeout=settings.OUTSIDE_HTTP_TIMEOUT,
            )
        except httpx.HTTPError as error:
            raise CommandError(f"could not reach the platform: {error}") from error
        if response.status_code >= 400:
            raise CommandError(
                f"the platform answered {response.status_code}: {response.text[:300]}"
            )
        try:
            data = response.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {"result": data}
