from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        from core import converters, ratelimit_store

        converters.register()
        ratelimit_store.install()  # rate limits go on counting while Redis is down
