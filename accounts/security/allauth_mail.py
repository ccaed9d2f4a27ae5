"""allauth's own emails (verification, password reset, security notices) inside Beacon's
email layout, so they show the recipient's anti-phishing code in the same place as ours.

allauth renders its message text as usual; this puts that text into
templates/accounts/security/email/allauth.{txt,html}, which extend the common layout.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from notifications.emails import BeaconEmail


def mail_recipient(address: str, context: dict[str, Any]) -> User | None:
    """Whose mail this is: allauth's `user` when it names one, else the address's owner."""
    user = context.get("user")
    if isinstance(user, User):
        return user
    owner = User.objects.filter(email__iexact=address).first()
    if owner is None:
        row = EmailAddress.objects.select_related("user").filter(email__iexact=address).first()
        owner = row.user if row else None
    return owner


def mail_in_layout(message: EmailMessage, recipient: User | None) -> EmailMultiAlternatives:
    """The same message with its text wrapped in the layout, as plain text and HTML."""
    context = {
        "body": message.body,
        "recipient": recipient,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        "site_url": settings.SITE_URL,
        "link_url": "",
        "anti_phishing_code": (recipient.anti_phishing_code if recipient else "") or "",
        # Sign-in and security mail from allauth cannot be turned off.
        "preferences_url": "",
    }
    text = render_to_string("accounts/security/email/allauth.txt", context)
    html = render_to_string("accounts/security/email/allauth.html", context)
    wrapped = BeaconEmail(
        message.subject,
        text,
        message.from_email,
        message.to,
        cc=message.cc,
        bcc=message.bcc,
        headers=message.extra_headers,
        reply_to=message.reply_to,
    )
    wrapped.attach_alternative(html, "text/html")
    return wrapped
