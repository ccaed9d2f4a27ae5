from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications import registry

        # Every app's notification_kinds.py, the way the admin finds admin.py.
        registry.kinds_discover()
