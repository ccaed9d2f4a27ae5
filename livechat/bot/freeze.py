"""The customer confirmed the emergency freeze the bot offered (`freeze.confirm`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.freeze.services import account_freeze_from_chat
from core.exceptions import ApplicationError
from livechat.models import ChatMessage, Conversation
from livechat.services.messages import message_post


@transaction.atomic
def freeze_confirm(*, conversation: Conversation, user) -> None:
    """Freeze `user`'s account: only the conversation's own signed-in, active customer.

    The system message is written first; the freeze then closes the customer's sockets
    after commit (accounts' `account.closed`), so the message is there to read when they
    sign in again or an agent opens the chat.
    """
    with translation.override(conversation.language):
        if (
            user is None
            or not user.is_authenticated
            or conversation.customer_id is None
            or conversation.customer_id != user.pk
        ):
            raise ApplicationError(
                _("Only the signed-in owner of this chat can freeze their account."),
                code="forbidden",
            )
        if not user.is_active:
            raise ApplicationError(_("This account is already frozen."), code="already_frozen")
        message_post(
            conversation=conversation,
            sender=ChatMessage.Sender.SYSTEM,
            body=_(
                "Your account is being frozen at your request. You will be signed out "
                "everywhere; our security team will contact you by email."
            ),
            data={"kind": "frozen"},
        )
        account_freeze_from_chat(
            user=user, reason=f"Frozen by the customer in live chat {conversation.public_id}."
        )
