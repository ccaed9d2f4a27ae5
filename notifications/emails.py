"""Rendering an email row into a message: the kind's templates inside the common layout.

The layout (templates/accounts/email/base.txt and base.html) puts the recipient's
anti-phishing code in the same place in every email; the layout's own context keys
are applied last, so no kind can replace or fake the code. A kind whose context says
`sender_unproven` (it is about text someone wrote in the recipient's name without
proving it, accounts.trust) gets no code at all: the code vouches for every word, so
an email with it may quote only Beacon's own words and the proven customer's.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Collection
from email.header import Header
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from notifications import threads
from notifications.errors import NotificationObsolete
from notifications.models import BouncingAddress, Notification
from notifications.registry import NotificationKind, kind_get

if TYPE_CHECKING:
    from accounts.models import User


class BeaconEmail(EmailMultiAlternatives):
    """An email whose non-ASCII subject starts on the Subject line.

    Django encodes such a subject as encoded words sized for a line of their own, with no
    room for "Subject: "; the generator then folds before the first one, and mail clients
    show the header's empty first line as a leading space (most Chinese subjects). Encoded
    knowing the header's name, the first word fits beside it.
    """

    def message(self, *args, **kwargs):
        message = super().message(*args, **kwargs)  # (refuses a subject with a line break)
        if not self.subject.isascii():
            message.replace_header(
                "Subject", Header(str(self.subject), "utf-8", header_name="Subject")
            )
        return message


def address_of(notification: Notification) -> str:
    """Where the row's email goes: its own address, else its recipient's ("" for none)."""
    user = notification.recipient
    return notification.to_email or (user.email if user else "")


def email_render(
    notification: Notification, *, bouncing: Collection[str] | None = None
) -> EmailMultiAlternatives:
    """The message for an email row, in the row's language and the recipient's time zone.

    Raises NotificationObsolete when there is nobody to send to or nothing to say, and
    ImproperlyConfigured when the kind's templates leave out the layout (and so the
    recipient's anti-phishing code). `bouncing`: the lower-cased addresses known to
    bounce, when the caller read them for many rows at once (else looked up here).
    """
    kind = kind_get(notification.kind)
    user = notification.recipient
    address = address_of(notification)
    if not address:
        raise NotificationObsolete("the recipient has no email address")
    if (
        address.lower() in bouncing
        if bouncing is not None
        else BouncingAddress.objects.filter(email=address.lower()).exists()
    ):
        raise NotificationObsolete("the address bounces (see the bounce record)")
    with translation.override(notification.language), timezone.override(_time_zone(user)):
        built = kind.build_context(notification.context)
        context = {**built, **_layout_context(notification, kind, user, built)}
        subject = " ".join((str(kind.subject) % notification.context).split())
        text = render_to_string(f"{kind.template}.txt", context)
        html = render_to_string(f"{kind.template}.html", context)
    code = context["anti_phishing_code"]
    if code and not (code in text and code in html):
        # Better failed (and logged) than a mail a phisher could have written.
        raise ImproperlyConfigured(f"{kind.template} does not extend the accounts/email layout.")
    message = BeaconEmail(subject, text, to=[address], headers=_headers(notification, kind))
    message.attach_alternative(html, "text/html")
    if kind.attachments:
        for name, content, content_type in kind.attachments(notification.context):
            message.attach(name, content, content_type)
    return message


def _headers(notification: Notification, kind: NotificationKind) -> dict[str, str]:
    """The same Message-ID on every attempt (mail clients fold a rare duplicate); for a
    thread, the references and Reply-To that bring an answer back to it."""
    thread = kind.thread(notification.context) if kind.thread else ""
    headers = {
        "Message-ID": threads.message_id(notification.id, thread),
        # Exchange's out-of-office robots read this one; the rest read Auto-Submitted.
        "X-Auto-Response-Suppress": "All",
    }
    if not kind.human:  # RFC 3834: no automatic answer to an automatic message
        headers["Auto-Submitted"] = "auto-generated"
    if thread:
        root = threads.thread_root_id(thread)
        headers.update({"In-Reply-To": root, "References": root})
        headers["Reply-To"] = threads.reply_address(thread)
    return headers


def _layout_context(
    notification: Notification, kind: NotificationKind, user: User | None, built: dict
) -> dict[str, Any]:
    site_url = settings.SITE_URL
    can_choose = user is not None and not kind.essential
    quotes_unproven = bool(built.get("sender_unproven"))
    code = "" if quotes_unproven else getattr(user, "anti_phishing_code", "") or ""
    return {
        "recipient": user,
        "language": notification.language,
        "site_url": site_url,
        "link_url": site_url + kind.link(notification.context) if kind.link else "",
        "anti_phishing_code": code,
        "sender_unproven": quotes_unproven,
        "preferences_url": site_url + reverse("accounts:preferences") if can_choose else "",
    }


def _time_zone(user: User | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(user.time_zone if user and user.time_zone else settings.TIME_ZONE)
