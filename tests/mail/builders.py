"""Emails as mail clients write them, for the intake tests."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

SUPPORT = "support@beacon.test"
# The receiving server's authserv-id the test settings trust (BEACON_MAIL_AUTHSERV_IDS).
OUR_MX = "mx.beacon.test"


def authenticated_by_our_mx(sender: str) -> str:
    """The Authentication-Results our receiving server writes when DMARC passes."""
    domain = sender.rpartition("@")[2].strip(">").lower()
    return f"{OUR_MX}; spf=pass smtp.mailfrom={domain}; dmarc=pass header.from={domain}"


def customer_email(
    *,
    sender: str,
    subject: str = "Withdrawal not arrived",
    body: str = "I withdrew 50 USDT yesterday and it has not arrived.",
    to: str = SUPPORT,
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    html: str = "",
    authenticated: bool = False,
) -> EmailMessage:
    """`authenticated`: our receiving server vouched for the From domain (DMARC pass)."""
    message = EmailMessage()
    if authenticated:  # the receiving server adds its header on top
        message["Authentication-Results"] = authenticated_by_our_mx(sender)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="mail.example.test")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def reply_to(received: EmailMessage, *, sender: str, body: str) -> EmailMessage:
    """What a mail client sends when its user presses Reply on `received`: the new text
    above the quoted original, threaded by In-Reply-To and References."""
    original = received.get_body(("plain",)).get_content()
    quoted = "\n".join("> " + line for line in original.splitlines())
    date = received["Date"] or "today"
    text = f"{body}\n\nOn {date}, Beacon Support <{SUPPORT}> wrote:\n{quoted}\n"
    references = " ".join(filter(None, [received["References"], received["Message-ID"]]))
    return customer_email(
        sender=sender,
        to=received["Reply-To"] or received["From"],
        subject="Re: " + received["Subject"],
        body=text,
        in_reply_to=received["Message-ID"],
        references=references,
    )
