from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import realtime  # noqa: F401  (sign-out, roles, factors -> open sockets)
        from accounts.security import receivers  # noqa: F401  (sign-in history, alerts)
        from accounts.twofactor import receivers as twofactor  # noqa: F401  (2FA audit)
