"""The notification kinds of live chat (the transcript email), found by the
notifications app when Django is ready (notifications.registry.kinds_discover)."""

from livechat.services.transcripts import KINDS

__all__ = ["KINDS"]
