"""The freeze's emails (KINDS, listed in accounts/notification_kinds.py).

All are essential security notices: nobody may turn them off. Stored contexts hold ids
only; an appeal link's token is made here, when the email is rendered (accounts.links).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

import notifications
from accounts.links import link_issue, link_token
from accounts.models import AccountFreeze, OneTimeLink, UnfreezeAppeal, User

FROZEN = "freeze.frozen"
APPEAL_LINK = "freeze.appeal_link"
APPEAL_APPROVED = "freeze.appeal_approved"
APPEAL_REJECTED = "freeze.appeal_rejected"

# An appeal may take a while to prepare (a fresh selfie, the facts): a month.
APPEAL_LINK_LIFETIME = timedelta(days=30)


def _appeal_request_url() -> str:
    return settings.SITE_URL + reverse("accounts:freeze-appeal-request")


def _appeal_url(context: Mapping[str, Any]) -> str:
    link = notifications.load_or_obsolete(OneTimeLink, context["link_id"], what="the appeal link")
    return settings.SITE_URL + reverse("accounts:freeze-appeal", args=[link_token(link)])


def _frozen_context(context: Mapping[str, Any]) -> dict[str, Any]:
    freezes = AccountFreeze.objects.select_related("actor")
    freeze = notifications.load_or_obsolete(freezes, context["freeze_id"], what="the freeze")
    return {
        "freeze": freeze,
        "by_agent": freeze.source == AccountFreeze.Source.AGENT,
        "appeal_url": _appeal_url(context),
        "appeal_request_url": _appeal_request_url(),
        "lifetime_days": APPEAL_LINK_LIFETIME.days,
    }


def _appeal_link_context(context: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "appeal_url": _appeal_url(context),
        "lifetime_days": APPEAL_LINK_LIFETIME.days,
    }


def _decision_context(context: Mapping[str, Any]) -> dict[str, Any]:
    appeal = notifications.load_or_obsolete(UnfreezeAppeal, context["appeal_id"], what="the appeal")
    return {
        "appeal": appeal,
        "sign_in_url": settings.SITE_URL + reverse("account_login"),
        "appeal_request_url": _appeal_request_url(),
    }


KINDS = [
    notifications.NotificationKind(
        name=FROZEN,
        label=_("Your account was frozen"),
        subject=_("[Beacon] Your account is frozen"),
        template="accounts/freeze/email/frozen",
        build_context=_frozen_context,
        essential=True,
    ),
    notifications.NotificationKind(
        name=APPEAL_LINK,
        label=_("A link to appeal a freeze"),
        subject=_("[Beacon] Your link to appeal the freeze"),
        template="accounts/freeze/email/appeal_link",
        build_context=_appeal_link_context,
        essential=True,
    ),
    notifications.NotificationKind(
        name=APPEAL_APPROVED,
        label=_("Your unfreeze appeal was approved"),
        subject=_("[Beacon] Your account is unfrozen"),
        template="accounts/freeze/email/appeal_approved",
        build_context=_decision_context,
        essential=True,
    ),
    notifications.NotificationKind(
        name=APPEAL_REJECTED,
        label=_("Your unfreeze appeal was rejected"),
        subject=_("[Beacon] Your unfreeze appeal was not approved"),
        template="accounts/freeze/email/appeal_rejected",
        build_context=_decision_context,
        essential=True,
    ),
]


def appeal_link_new(*, user: User, freeze: AccountFreeze) -> OneTimeLink:
    return link_issue(
        user=user,
        purpose=OneTimeLink.Purpose.APPEAL,
        lifetime=APPEAL_LINK_LIFETIME,
        subject_id=freeze.id,
    )


def frozen_notify(*, freeze: AccountFreeze) -> None:
    """The customer's notice of the freeze, with a fresh appeal link; inside the transaction."""
    link = appeal_link_new(user=freeze.user, freeze=freeze)
    notifications.notify(
        kind=FROZEN,
        recipient=freeze.user,
        context={"freeze_id": freeze.id, "link_id": link.id},
        dedupe_key=f"{FROZEN}:{freeze.id}",
    )


def appeal_link_notify(*, user: User, freeze: AccountFreeze) -> None:
    link = appeal_link_new(user=user, freeze=freeze)
    notifications.notify(
        kind=APPEAL_LINK,
        recipient=user,
        context={"link_id": link.id},
        dedupe_key=f"{APPEAL_LINK}:{link.id}",
    )


def appeal_decision_notify(*, appeal: UnfreezeAppeal) -> None:
    kind = APPEAL_APPROVED if appeal.status == UnfreezeAppeal.Status.APPROVED else APPEAL_REJECTED
    notifications.notify(
        kind=kind,
        recipient=appeal.user,
        context={"appeal_id": appeal.id},
        dedupe_key=f"{kind}:{appeal.id}",
    )
