from django.apps import AppConfig


class OutsideConfig(AppConfig):
    """Outside platforms (Telegram, X, Discord) as live-chat channels."""

    name = "outside"

    def ready(self) -> None:
        # The adapters register themselves; the receiver delivers replies (livechat.signals).
        from outside import adapters, receivers  # noqa: F401
