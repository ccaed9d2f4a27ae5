from django.apps import AppConfig


class LivechatConfig(AppConfig):
    name = "livechat"

    def ready(self) -> None:
        from livechat.services import transcripts  # noqa: F401  registers the transcript email
