from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpcenterConfig(AppConfig):
    name = "helpcenter"
    verbose_name = _("Help centre")

    def ready(self) -> None:
        from helpcenter import banner  # noqa: F401  (its receivers forget the kept banner)
