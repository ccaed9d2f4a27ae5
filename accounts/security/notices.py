"""The security notices this package sends by email: all essential (nobody can turn them off).

Stored contexts hold ids and plain values only. The "This wasn't me" URL is built when the
email is rendered, from the link row's id (accounts.links), so no token sits in the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

import notifications as outbox
from accounts.links import link_token
from accounts.models import OneTimeLink, SecurityEvent, User
from accounts.security.user_agents import user_agent_label

NEW_DEVICE = "security.new_device"
CODE_SET = "security.code_set"
PHONE_CHANGED = "security.phone_changed"


def _event(context: Mapping[str, Any]) -> SecurityEvent:
    return outbox.load_or_obsolete(SecurityEvent, context["event_id"], what="the security event")


def _event_context(context: Mapping[str, Any]) -> dict[str, Any]:
    event = _event(context)
    return {
        "event": event,
        "device": user_agent_label(event.user_agent),
        "security_url": settings.SITE_URL + reverse("accounts:security"),
    }


def _new_device_context(context: Mapping[str, Any]) -> dict[str, Any]:
    built = _event_context(context)
    link = outbox.load_or_obsolete(OneTimeLink, context["link_id"], what="the link")
    token = link_token(link)
    return {
        **built,
        "not_me_url": settings.SITE_URL + reverse("accounts:freeze-not-me", args=[token]),
        "link_hours": round((link.expires_at - link.created_at).total_seconds() / 3600),
        "new_device": bool(context.get("new_device")),
        "new_network": bool(context.get("new_network")),
    }


def _phone_context(context: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **_event_context(context),
        "old_phone": context.get("old_phone", ""),
        "new_phone": context.get("new_phone", ""),
    }


def _security_link(context: Mapping[str, Any]) -> str:
    return reverse("accounts:security")


def _kinds() -> list[outbox.NotificationKind]:
    kinds = [
        (
            NEW_DEVICE,
            _("Sign-in from a new device or network"),
            _("[Beacon] New sign-in to your account"),
            "new_device",
            _new_device_context,
        ),
        (
            CODE_SET,
            _("Anti-phishing code changed"),
            _("[Beacon] Your anti-phishing code was changed"),
            "code_set",
            _event_context,
        ),
        (
            PHONE_CHANGED,
            _("Phone number changed"),
            _("[Beacon] Your phone number was changed"),
            "phone_changed",
            _phone_context,
        ),
    ]
    return [
        outbox.NotificationKind(
            name=name,
            label=label,
            subject=subject,
            template=f"accounts/security/email/{template}",
            build_context=build,
            link=_security_link,
            essential=True,  # security notices: nobody may turn them off
        )
        for name, label, subject, template, build in kinds
    ]


KINDS = _kinds()  # listed in accounts/notification_kinds.py


def new_device_alert(*, user: User, sign_in: SecurityEvent, link: OneTimeLink, **flags: bool):
    outbox.notify(
        kind=NEW_DEVICE,
        recipient=user,
        context={"event_id": sign_in.id, "link_id": link.id, **flags},
        dedupe_key=f"{NEW_DEVICE}:{sign_in.id}",
    )


def code_set_alert(*, user: User, event: SecurityEvent) -> None:
    outbox.notify(
        kind=CODE_SET,
        recipient=user,
        context={"event_id": event.id},
        dedupe_key=f"{CODE_SET}:{event.id}",
    )


def phone_changed_alert(*, user: User, event: SecurityEvent, old_phone: str, new_phone: str):
    outbox.notify(
        kind=PHONE_CHANGED,
        recipient=user,
        context={"event_id": event.id, "old_phone": old_phone, "new_phone": new_phone},
        dedupe_key=f"{PHONE_CHANGED}:{event.id}",
    )
