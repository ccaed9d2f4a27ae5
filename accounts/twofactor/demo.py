"""Demo staff sign in with 2FA too (the console requires it): one fixed, demo-only secret.

Never used outside `seed_demo`; a real account's secret is made by allauth at activation.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt, encrypt

from accounts.models import User

# 20 bytes in base32; printed beside the demo passwords. Demo data only.
DEMO_TOTP_SECRET = "BEACONDEMOTOTPSECRETFORSTAFFONLY"


def demo_totp_ensure(user: User) -> str:
    """Give `user` a TOTP authenticator with the demo secret (idempotent); returns it."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is None:
        TOTP.activate(user, DEMO_TOTP_SECRET)
    elif decrypt(existing.data["secret"]) != DEMO_TOTP_SECRET:
        existing.data = {**existing.data, "secret": encrypt(DEMO_TOTP_SECRET)}
        existing.save(update_fields=["data"])
    if user.mfa_reenrolment_required:
        User.objects.filter(pk=user.pk).update(mfa_reenrolment_required=False)
    return DEMO_TOTP_SECRET


def demo_totp_code(at: float) -> str:
    """The demo secret's code at a Unix time (for the demo_totp_code command)."""
    from allauth.mfa import app_settings

    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(at) // app_settings.TOTP_PERIOD))
