from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import realtime  # noqa: F401  (sign-out, roles, factors -> open sockets)
        from accounts.freeze import notices  # noqa: F401  (registers the freeze's emails)
        from accounts.kyc import alerts  # noqa: F401  (registers the KYC decision emails)
        from accounts.security import receivers  # noqa: F401  (sign-in history, alerts, emails)
        from accounts.twofactor import wiring  # noqa: F401  (2FA emails, audit receivers)
