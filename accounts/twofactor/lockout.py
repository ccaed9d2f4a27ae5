"""The 2FA sign-in step's lock-out, on allauth's own limiter.

allauth counts every 2FA attempt under the account rate limit "login_failed", keyed per
user ("mfa-auth-user-<pk>", 5 per 5 minutes in settings), and clears the count on a right
code. This form (MFA_FORMS["authenticate"]) only adds what the desk needs: MFA_LOCKED in
the audit trail when the wrong code that exhausts the limit comes in, and a message that
says what happened and what to do, in place of allauth's generic one.
"""

from __future__ import annotations

from allauth.core import context, ratelimit
from allauth.mfa.base.forms import AuthenticateForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.audit import security_event_record
from accounts.models import SecurityEvent

LOCKED_CODE = "too_many_login_attempts"


def _limit_key(user) -> str:
    return f"mfa-auth-user-{user.pk}"  # allauth.mfa.base.internal.flows.check_rate_limit


def locked_message() -> str:
    return _(
        "Too many wrong codes: two-factor sign-in to this account is locked for a few "
        "minutes, even with the right code. Wait and try again, or, if you lost your "
        "device, ask for a two-factor reset at %(url)s."
    ) % {"url": reverse("accounts:twofactor-reset")}


class LockingAuthenticateForm(AuthenticateForm):
    def clean_code(self) -> str:
        try:
            return super().clean_code()
        except ValidationError as error:
            if error.code == LOCKED_CODE:
                raise ValidationError(locked_message(), code="mfa_locked") from None
            if self._limit_now_reached():
                security_event_record(
                    user=self.user, kind=SecurityEvent.Kind.MFA_LOCKED, request=context.request
                )
            raise

    def _limit_now_reached(self) -> bool:
        """After this wrong code, would the next attempt be refused?"""
        return not ratelimit.consume(
            context.request, action="login_failed", key=_limit_key(self.user), dry_run=True
        )
