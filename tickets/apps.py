from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from tickets import security_desk  # noqa: F401 (its receivers connect)
        from tickets.console import staff

        staff.connect()
