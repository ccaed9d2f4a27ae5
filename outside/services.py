"""Outside platforms as live chat: a message in becomes (or continues) a conversation the
bot answers first; the desk's public replies go back through the outbox; a one-time code
links a platform user to their Beacon account.

Trust (accounts.trust): a platform user is an anonymous visitor until they link. Their
chat has no customer, so the bot will not discuss an account (it asks them to link,
reply_text), and a ticket they leave is filed unproven for the email they give. A linked
user's new chats are their account's, as a signed-in customer's are: the link was made
with a code only the signed-in customer could see.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.ratelimits import rate_allowed
from livechat import bot
from livechat.models import ChatMessage, Conversation
from livechat.services.conversations import conversation_customer_seen, conversation_start
from livechat.services.messages import (
    MAX_BODY_CHARS,
    message_frame,
    message_post_by_customer,
)
from livechat.services.offline import offline_message_leave, offline_offer
from outside.adapters.base import MAX_REPLY_CHARS, InboundMessage, SendError, adapter_for
from outside.models import (
    ExternalContact,
    ExternalConversation,
    InboundEvent,
    LinkCode,
    OutboundMessage,
)

logger = logging.getLogger(__name__)

# System lines a platform user is told of; any other (a freeze, anything that may hold
# account data) stays on Beacon's side.
DELIVERED_SYSTEM_KINDS = {"handoff", "ended", "offline_ticket"}
DELIVERED_SYSTEM_EVENTS = {"agent_joined", "transferred", "ended", "requeued", "ticket_attached"}

# The outbox: a claimed row is someone's for this long (a worker that died mid-send
# leaves it to the sweep after that); failed tries wait longer and longer, up to an hour.
SEND_LEASE = timedelta(seconds=60)
MAX_BACKOFF_SECONDS = 3600
MAX_ATTEMPTS = 40  # about a day and a half of a platform being away

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
_COMMAND = re.compile(r"^/(\w+)(?:@\w+)?(?:\s+(.*))?$", re.S)
_RELATIVE_URL = re.compile(r"(?<![\w/])(/(?:[\w\-.~%]+/)*[\w\-.~%]*(?:\?[\w\-.~%=&]*)?)")


def _language(code: str) -> str:
    return "zh-hans" if (code or "").startswith("zh") else "en"


def _link_page() -> str:
    return settings.SITE_URL + reverse("outside:linked-channels")


# ---------------------------------------------------------------------------- inbound


@dataclass(frozen=True)
class Inbound:
    """What became of one platform message: `outcome` is stored, replay, command or
    ignored; `conversation` the chat it went to, if any."""

    outcome: str
    conversation: Conversation | None = None


def _contact(message: InboundMessage) -> ExternalContact:
    contact, _created = ExternalContact.objects.get_or_create(
        platform=message.platform,
        external_id=message.user_id,
        defaults={"handle": message.handle, "language": _language(message.language)},
    )
    changed = {"last_seen_at"}
    contact.last_seen_at = timezone.now()
    if message.handle and contact.handle != message.handle:
        contact.handle, changed = message.handle, changed | {"handle"}
    if message.reply_to and contact.reply_to != message.reply_to:
        contact.reply_to, changed = message.reply_to, changed | {"reply_to"}
    contact.save(update_fields=[*sorted(changed), "updated_at"])
    return contact


def _first_time(message: InboundMessage, contact: ExternalContact) -> bool:
    """Record the platform's event id; False when it was already recorded (a replay, or
    the platform retrying a delivery it thinks failed)."""
    try:
        with transaction.atomic():
            InboundEvent.objects.create(
                platform=message.platform, event_id=message.event_id, contact=contact
            )
    except IntegrityError:
        return False
    return True


def _open_link(contact: ExternalContact) -> ExternalConversation | None:
    return (
        ExternalConversation.objects.select_related("conversation")
        .filter(contact=contact, detached_at__isnull=True)
        .exclude(conversation__status=Conversation.Status.ENDED)
        .order_by("-created_at")
        .first()
    )


def _open_conversation(contact: ExternalContact) -> Conversation:
    """The contact's open chat, or a new one with the bot (as their account once linked;
    a signed-in customer's open web chat is continued, as a second tab would)."""
    link = _open_link(contact)
    if link is not None:
        return link.conversation
    began = timezone.now()
    conversation = conversation_start(
        user=contact.user,
        # An anonymous chat belongs to a session; this one's key is thrown away, so no
        # browser can ever open it: it is reached from the platform only.
        session_key=None if contact.user_id else secrets.token_urlsafe(32),
        language=contact.language,
    )
    ExternalConversation.objects.get_or_create(conversation=conversation, contact=contact)
    if conversation.created_at >= began:
        # The greeting was posted before the chat knew its platform: send it now.
        for message in conversation.messages.filter(visibility=ChatMessage.Visibility.PUBLIC):
            chat_message_deliver(message=message)
    return conversation


def _reply(contact: ExternalContact, key: str, text: str, conversation=None) -> None:
    outbox_enqueue(contact=contact, key=key, text=text, conversation=conversation)


def inbound_handle(*, message: InboundMessage, request: HttpRequest | None = None) -> Inbound:
    """A verified platform message: stored once, into the contact's chat; then the bot.
    `request`: the webhook's, for the rate limits of commands (/link)."""
    with transaction.atomic():
        contact = _contact(message)
        # One message of a contact at a time: two first messages at once open one chat.
        ExternalContact.objects.select_for_update().filter(pk=contact.pk).values("pk").get()
        if not _first_time(message, contact):
            return Inbound("replay")
        text = message.text.strip()[:MAX_BODY_CHARS]
        command = _COMMAND.match(text)
        if command is not None and command.group(1).lower() in COMMANDS:
            name, argument = command.group(1).lower(), (command.group(2) or "").strip()
            return COMMANDS[name](contact, message, argument, request or HttpRequest())
        conversation = _open_conversation(contact)
        conversation_customer_seen(conversation=conversation)
        posted, created = message_post_by_customer(
            conversation=conversation,
            body=text,
            author=conversation.customer,
            client_id=f"{message.platform}:{message.message_id}"[:64],
        )
        if posted.masked:
            with translation.override(conversation.language):
                warning = _(
                    "We hid what looked like a password, recovery phrase or private key in "
                    "your message. Beacon never asks for them: never send them to anyone."
                )
            _reply(contact, f"masked:{posted.pk}", warning, conversation)
        ask_bot = created and conversation.status == Conversation.Status.BOT
    if ask_bot:
        _ask_bot(contact, conversation, posted)
    return Inbound("stored", conversation)


def inbound_receive(*, message: InboundMessage, request: HttpRequest | None = None) -> str:
    """What every way in (a webhook, the Discord Gateway) does with a verified message:
    within the sender's rate limit, handled; the outcome (or "limited", "refused")."""
    key = f"{message.platform}:{message.user_id}"
    if not rate_allowed(request or HttpRequest(), action="outside_inbound", key=key):
        # Taken all the same: a platform retries errors, which would only add to the flood.
        logger.warning("outside: %s rate-limited", key)
        return "limited"
    try:
        return inbound_handle(message=message, request=request).outcome
    except ApplicationError as error:
        logger.info("outside: %s message not taken: %s", key, error.code)
        return "refused"


def _ask_bot(contact: ExternalContact, conversation: Conversation, posted: ChatMessage) -> None:
    """The bot answers after the message is stored, as on the web: a failing bot loses
    nothing (the customer can still ask for a person)."""
    try:
        bot.respond(conversation=conversation, message=posted)
    except Exception:
        logger.exception("bot failed on %s#%s", conversation.public_id, posted.seq)
        with translation.override(conversation.language):
            text = _("The assistant could not answer; try again or ask for a person.")
        _reply(contact, f"bot-failed:{posted.pk}", text, conversation)
        return
    conversation.refresh_from_db(fields=["status", "ticket", "language", "skill"])
    if conversation.status == Conversation.Status.QUEUED and offline_offer(conversation):
        with translation.override(conversation.language):
            if conversation.customer_id is None:
                text = _(
                    "No agent is available right now. To leave a message instead, send "
                    "/ticket, your email address and your message (for example: /ticket "
                    "you@example.com my withdrawal is pending); we will answer by email."
                )
            else:
                text = _(
                    "No agent is available right now. To leave a message instead, send "
                    "/ticket and your message; we will answer by email."
                )
        _reply(contact, f"offline:{conversation.pk}", text, conversation)


def _command_start(contact, message, argument, request) -> Inbound:
    """Telegram's first message (and anyone's "/start"): open the chat, which greets."""
    return Inbound("command", _open_conversation(contact))


def _command_link(contact, message, argument, request) -> Inbound:
    # Codes are short: a user (or a bot farm behind one account) gets a few tries only.
    allowed = rate_allowed(request, action="outside_link", key=f"{contact.platform}:{contact.pk}")
    with translation.override(contact.language):
        linked = allowed and contact_link(contact=contact, code=argument)
        if not allowed:
            text = _("Too many tries. Please wait a few minutes, then send the code again.")
        elif linked:
            text = _(
                "Your %(platform)s account is now linked to your Beacon account. Your next "
                "chat here is handled as your account's; you can unlink it on your account's "
                "Linked channels page."
            ) % {"platform": contact.get_platform_display()}
        else:
            text = _(
                "That code is wrong or has expired. Sign in at %(url)s to get a new one, then "
                "send /link and the code here. Never send your password."
            ) % {"url": _link_page()}
    _reply(contact, f"link:{message.platform}:{message.event_id}", text)
    return Inbound("command")


def _command_ticket(contact, message, argument, request) -> Inbound:
    """Leave a message for later when no agent serves: a ticket (livechat.services.offline)."""
    link = _open_link(contact)
    conversation = link.conversation if link is not None else _open_conversation(contact)
    email, _space, body = argument.partition(" ")
    if "@" not in email or conversation.customer_id is not None:
        email, body = "", argument
    try:
        with transaction.atomic():
            offline_message_leave(
                conversation=conversation,
                body=body,
                email=email,
                client_id=f"{message.platform}:{message.message_id}"[:64],
            )
    except ApplicationError as error:
        with translation.override(conversation.language):
            text = _("Your message was not saved: %(reason)s") % {"reason": error.message}
        _reply(contact, f"ticket:{message.platform}:{message.event_id}", text, conversation)
    return Inbound("command", conversation)


COMMANDS = {"start": _command_start, "link": _command_link, "ticket": _command_ticket}


# ---------------------------------------------------------------------------- linking


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


@transaction.atomic
def link_code_create(*, user) -> tuple[str, LinkCode]:
    """A new one-time code for `user` (signed in); their earlier unused codes stop working.
    The code is returned once: only its hash is kept."""
    if not getattr(user, "is_authenticated", False):
        raise ApplicationError(_("Sign in to link an account."), code="sign_in_required")
    LinkCode.objects.filter(user=user, used_at__isnull=True).delete()
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    row = LinkCode(
        user=user,
        code_hash=_code_hash(code),
        expires_at=timezone.now() + timedelta(minutes=settings.OUTSIDE_LINK_CODE_MINUTES),
    )
    row.full_clean()
    row.save()
    return code, row


@transaction.atomic
def contact_link(*, contact: ExternalContact, code: str) -> bool:
    """Link `contact` to the account whose code this is; False for a wrong, used or
    expired code (the caller says so, and rate-limits the tries)."""
    code = (code or "").strip()
    if not code or len(code) > 32:
        return False
    row = (
        LinkCode.objects.select_for_update()
        .filter(code_hash=_code_hash(code), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if row is None:
        return False
    now = timezone.now()
    row.used_at, row.used_by = now, contact
    row.save(update_fields=["used_at", "used_by", "updated_at"])
    contact.user, contact.linked_at = row.user, now
    contact.save(update_fields=["user", "linked_at", "updated_at"])
    # An anonymous chat still with the bot is left behind: the next message starts one
    # as the account. One an agent has (or is about to) stays, unproven as it began.
    ExternalConversation.objects.filter(
        contact=contact,
        detached_at__isnull=True,
        conversation__status=Conversation.Status.BOT,
        conversation__customer__isnull=True,
    ).update(detached_at=now)
    logger.info("outside: %s linked to user %s", contact, row.user_id)
    return True


@transaction.atomic
def contact_unlink(*, user, contact_id: int) -> None:
    contact = ExternalContact.objects.select_for_update().filter(pk=contact_id, user=user).first()
    if contact is None:
        raise ApplicationError(_("No such linked account."), code="not_found")
    contact.user, contact.linked_at = None, None
    contact.save(update_fields=["user", "linked_at", "updated_at"])
    # Their open chats as the account end their link to the platform.
    ExternalConversation.objects.filter(
        contact=contact, detached_at__isnull=True, conversation__customer=user
    ).update(detached_at=timezone.now())


# ---------------------------------------------------------------------------- outbound


def chat_message_deliverable(message: ChatMessage) -> bool:
    """A public reply of the bot or an agent, or a system line that holds no account data."""
    if message.visibility != ChatMessage.Visibility.PUBLIC:
        return False
    if message.sender in (ChatMessage.Sender.BOT, ChatMessage.Sender.AGENT):
        return True
    if message.sender == ChatMessage.Sender.SYSTEM:
        data = message.data or {}
        return (
            data.get("kind") in DELIVERED_SYSTEM_KINDS
            or data.get("event") in DELIVERED_SYSTEM_EVENTS
        )
    return False


def _absolute(text: str) -> str:
    return _RELATIVE_URL.sub(lambda match: settings.SITE_URL + match.group(1), text)


def reply_text(message: ChatMessage, language: str) -> str:
    """The chat message as the platform user reads it."""
    with translation.override(language):
        return _reply_text(message)[:MAX_REPLY_CHARS]


def _reply_text(message: ChatMessage) -> str:
    body = message.body
    data = message.data or {}
    if message.sender == ChatMessage.Sender.BOT and data.get("kind") == "sign_in":
        link = _(
            "I cannot discuss your account here until you link this chat to your "
            "Beacon account: sign in at %(url)s, create a code, and send /link and the "
            "code here. Never send your password or recovery phrase; Beacon never asks "
            "for them."
        ) % {"url": _link_page()}
        # The plain "please sign in" becomes the link request; the urgent one keeps its words.
        return link if data.get("url", "") in body else f"{body}\n\n{link}"
    if message.sender == ChatMessage.Sender.BOT and data.get("kind") == "offer_freeze":
        # The web chat's freeze button does not exist here: the page does it.
        url = settings.SITE_URL + reverse("accounts:freeze-confirm")
        return f"{body}\n\n" + _("To freeze it, sign in at %(url)s.") % {"url": url}
    if message.sender == ChatMessage.Sender.AGENT:
        frame = message_frame(message)
        name = frame["author"] or _("Beacon support")
        who = f"{name} ({frame['staff_id']})" if frame["staff_id"] else name
        return f"{who}: {body}"
    return _absolute(body)


def chat_message_deliver(*, message: ChatMessage) -> int:
    """Outbox rows for a stored chat message, one per platform contact of its chat, in
    the caller's transaction; how many. Nothing for a message that must not leave."""
    if not chat_message_deliverable(message):
        return 0
    links = ExternalConversation.objects.filter(
        conversation_id=message.conversation_id
    ).select_related("contact", "conversation")
    count = 0
    for link in links:
        text = reply_text(message, link.conversation.language)
        outbox_enqueue(
            contact=link.contact,
            key=f"chat:{message.pk}:{link.contact_id}",
            text=text,
            conversation=link.conversation,
        )
        count += 1
    return count


def outbox_enqueue(*, contact: ExternalContact, key: str, text: str, conversation=None) -> None:
    """One reply in the outbox (the same key again: nothing new), sent after commit."""
    row, created = OutboundMessage.objects.get_or_create(
        idempotency_key=key[:100],
        defaults={"contact": contact, "text": text[:MAX_REPLY_CHARS], "conversation": conversation},
    )
    if created:
        from outside.tasks import outbox_flush as flush_task

        contact_id = contact.pk
        transaction.on_commit(lambda: flush_task.delay(contact_id), robust=True)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(15 * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def outbound_send(*, outbound_id: int, now=None) -> str:
    """Send one outbox row if it is due and nobody else holds it; its status after.

    Claimed (SENDING, under a lease) and committed before the platform is called, so a
    second worker, a second task or the sweep finds it taken, or sent, and posts nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .select_related("contact")
            .filter(pk=outbound_id)
            .first()
        )
        if row is None:
            return "busy"
        if row.status in (OutboundMessage.Status.SENT, OutboundMessage.Status.FAILED):
            return row.status
        if row.next_try > now:
            return "later"
        row.status = OutboundMessage.Status.SENDING
        row.attempts += 1
        row.next_try = now + SEND_LEASE
        row.save(update_fields=["status", "attempts", "next_try", "updated_at"])
    adapter = adapter_for(row.contact.platform)
    try:
        if adapter is None or not adapter.configured():
            raise SendError(f"{row.contact.platform} is not configured", transient=True)
        platform_id = adapter.send(
            target=row.contact.target, text=row.text, idempotency_key=row.idempotency_key
        )
    except SendError as error:
        gave_up = not error.transient or row.attempts >= MAX_ATTEMPTS
        status = OutboundMessage.Status.FAILED if gave_up else OutboundMessage.Status.PENDING
        OutboundMessage.objects.filter(pk=row.pk, status=OutboundMessage.Status.SENDING).update(
            status=status,
            next_try=now + _backoff(row.attempts),
            last_error=error.reason,
            updated_at=timezone.now(),
        )
        log = logger.error if gave_up else logger.warning
        log("outside: reply %s to %s not sent (%s): %s", row.pk, row.contact, status, error.reason)
        return status
    OutboundMessage.objects.filter(pk=row.pk).update(
        status=OutboundMessage.Status.SENT,
        sent_at=timezone.now(),
        platform_message_id=platform_id[:100],
        last_error="",
        updated_at=timezone.now(),
    )
    return OutboundMessage.Status.SENT


def outbox_flush(*, contact_id: int, now=None) -> int:
    """Send a contact's waiting replies in order; how many were sent. The first that is
    not due (or is someone else's now) holds the later ones back: replies never overtake
    one another."""
    sent = 0
    while True:
        row_id = (
            OutboundMessage.objects.filter(
                contact_id=contact_id,
                status__in=[OutboundMessage.Status.PENDING, OutboundMessage.Status.SENDING],
            )
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        if row_id is None:
            return sent
        status = outbound_send(outbound_id=row_id, now=now)
        if status == OutboundMessage.Status.FAILED:
            continue  # never deliverable (refused for good): it holds nothing back
        if status != OutboundMessage.Status.SENT:
            return sent
        sent += 1


# How many contacts one sweep looks at; the next sweep (30 s) takes the rest.
SWEEP_BATCH = 200


def outbox_sweep(*, now=None) -> int:
    """The safety net: replies whose task was lost, whose platform was down, or whose
    worker died mid-send (its lease expired); how many were sent."""
    now = now or timezone.now()
    contacts = (
        OutboundMessage.objects.filter(
            status__in=[OutboundMessage.Status.PENDING, OutboundMessage.Status.SENDING],
            next_try__lte=now,
        )
        .order_by()
        .values_list("contact_id", flat=True)
        .distinct()[:SWEEP_BATCH]
    )
    return sum(outbox_flush(contact_id=contact_id, now=now) for contact_id in list(contacts))


def contacts_keep_present(*, now=None) -> int:
    """Platform users hold no socket whose beats say they are still there: their open
    anonymous chats count as seen while they wrote in the last OUTSIDE_PRESENCE_MINUTES,
    so livechat's sweep of abandoned chats leaves them waiting for an agent."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.OUTSIDE_PRESENCE_MINUTES)
    links = ExternalConversation.objects.filter(
        detached_at__isnull=True,
        contact__last_seen_at__gte=cutoff,
        conversation__status__in=[Conversation.Status.BOT, Conversation.Status.QUEUED],
    ).select_related("conversation")[:1000]
    count = 0
    for link in links:
        conversation_customer_seen(conversation=link.conversation)
        count += 1
    return count
