"""Who a ticket from a chat is for: the signed-in customer, or an anonymous visitor's email.

Tickets need an account as requester. An anonymous visitor who leaves a message or
files a complaint gives an email; the ticket is filed for the account with that email,
made on the spot when there is none (no password, no verified address: the visitor can
claim it later with "forgot password", the way an email channel treats a new sender).
Nothing tells the visitor whether the address already had an account.

Typing an address proves nothing (accounts.trust): such a ticket is unproven. It is not
listed on that account, agents see it flagged, and the email about it carries no
anti-phishing code and none of the visitor's words, only a link by which the owner
says whether it was them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts import trust
from accounts.services import contact_account
from core.exceptions import ApplicationError
from livechat.models import Conversation
from tickets.services.security import ticket_flag_unverified_sender

MAX_EMAIL_CHARS = 254


def clean_visitor_email(email: str) -> str:
    """The email as given, checked; ApplicationError(code="bad_email") when it is not one."""
    email = (email or "").replace("\x00", "").strip().lower()
    try:
        if not email or len(email) > MAX_EMAIL_CHARS:
            raise ValidationError("bad")
        validate_email(email)
    except ValidationError:
        raise ApplicationError(
            _("Enter a valid email address."), code="bad_email", extra={"field": "email"}
        ) from None
    return email


def sender_for(*, conversation: Conversation, email: str = "") -> trust.Sender:
    """Who a ticket from this chat is from, and how far that is proven.

    A signed-in customer's chat: the customer, proven. An anonymous one: the account for
    the email given now (or earlier), unproven; ApplicationError when none is given.
    """
    if conversation.customer_id is not None:
        return trust.signed_in(conversation.customer)
    email = clean_visitor_email(email or conversation.visitor_email)
    return trust.unproven(contact_account(email=email, language=_language(conversation)))


def _language(conversation: Conversation) -> str:
    return "zh-hans" if conversation.language.startswith("zh") else "en"


UNVERIFIED_NOTE = (
    "Filed from a live chat by an anonymous visitor who gave this account's email "
    "address; the address was not verified. Do nothing security-related on its say-so."
)


def flag_if_unverified(*, sender: trust.Sender, ticket) -> None:
    """An anonymous visitor's ticket is only as trustworthy as the email they typed."""
    if not sender.proven:
        ticket_flag_unverified_sender(ticket=ticket, note=UNVERIFIED_NOTE)
