"""The emails of a two-factor reset: requested (with the cancel link), rejected, done.

All three are essential security notices. Stored contexts hold ids only; the cancel link's
token is made when the email is rendered (accounts.links), never stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

import notifications as outbox
from accounts.links import link_token
from accounts.models import MfaResetRequest, OneTimeLink, User

REQUESTED = "twofactor.reset_requested"
REJECTED = "twofactor.reset_rejected"
DONE = "twofactor.reset_done"


def _reset(context: Mapping[str, Any]) -> MfaResetRequest:
    resets = MfaResetRequest.objects.select_related("user")
    return outbox.load_or_obsolete(resets, context["reset_id"], what="the reset request")


def _requested_context(context: Mapping[str, Any]) -> dict[str, Any]:
    reset = _reset(context)
    link = outbox.load_or_obsolete(OneTimeLink, context["link_id"], what="the cancel link")
    return {
        "reset": reset,
        "cancel_url": settings.SITE_URL
        + reverse("accounts:twofactor-reset-cancel", args=[link_token(link)]),
    }


def _rejected_context(context: Mapping[str, Any]) -> dict[str, Any]:
    return {"reset": _reset(context)}


def _done_context(context: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "reset": _reset(context),
        "login_url": settings.SITE_URL + reverse("account_login"),
        "reset_password_url": settings.SITE_URL + reverse("account_reset_password"),
    }


def _kinds() -> list[outbox.NotificationKind]:
    kinds = (
        (
            REQUESTED,
            _("Two-factor reset requested"),
            _("[Beacon] A two-factor reset was requested for your account"),
            "reset_requested",
            _requested_context,
        ),
        (
            REJECTED,
            _("Two-factor reset rejected"),
            _("[Beacon] Your two-factor reset was not approved"),
            "reset_rejected",
            _rejected_context,
        ),
        (
            DONE,
            _("Two-factor removed after a reset"),
            _("[Beacon] Two-factor authentication was removed from your account"),
            "reset_done",
            _done_context,
        ),
    )
    return [
        outbox.NotificationKind(
            name=name,
            label=label,
            subject=subject,
            template=f"accounts/twofactor/email/{template}",
            build_context=build,
            essential=True,
        )
        for name, label, subject, template, build in kinds
    ]


KINDS = _kinds()  # listed in accounts/notification_kinds.py


def notify_reset(*, kind: str, reset: MfaResetRequest, user: User, **context: Any) -> None:
    """Write the email row inside the caller's transaction."""
    outbox.notify(
        kind=kind,
        recipient=user,
        context={"reset_id": reset.id, **context},
        dedupe_key=f"{kind}:{reset.id}",
    )
