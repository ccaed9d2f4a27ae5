from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from tickets import alerts, security_desk  # noqa: F401 (its receivers connect)
        from tickets.sla import sweep

        alerts.register_kinds()
        if alerts.sla_steps not in sweep.listeners:
            sweep.listeners.append(alerts.sla_steps)
