from django.apps import AppConfig


class OutsideConfig(AppConfig):
    """Outside platforms (Telegram, X, Discord) as live-chat channels."""

    name = "outside"

    def ready(self) -> None:
        # The adapters register themselves; the receiver delivers replies (livechat.signals).
        from livechat import console_panels
        from outside import adapters, receivers  # noqa: F401
        from outside.panels import platform_panel

        # The platform and handle beside the chat in the agent's console.
        console_panels.register(platform_panel)
