"""Where incidents meet the rest: a customer's message on a ticket, the bot's answer, the
request form. Each asks matching first, which costs nothing while no incident is active
(the active list is cached)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from incidents import deflection, matching, services
from livechat.bot import notices
from tickets import form_notices
from tickets.models import TicketMessage

# A ticket opened this long before the incident was declared may still be about it
# (customers write before ops declare); older ones are not linked by their new messages.
EARLIER_TICKETS = timedelta(hours=2)


@receiver(post_save, sender=TicketMessage, dispatch_uid="incidents.ticket_message")
def link_ticket(sender, instance: TicketMessage, created: bool, **kwargs) -> None:
    """A customer's message (the first one opens the ticket): link the ticket to the
    incidents it is about, in the same transaction."""
    if not created or not matching.active_incidents():
        return
    ticket = instance.ticket
    if instance.author_id != ticket.requester_id or instance.visibility != "public":
        return
    values = ticket.fields or {}

    def about(type_slug: str = "") -> list[matching.Match]:
        return [
            match
            for match in matching.match(
                f"{ticket.subject}\n{instance.body}",
                coin=str(values.get("coin", "")),
                network=str(values.get("network", "")),
                type_slug=type_slug,
            )
            if ticket.created_at >= match.incident.declared_at - EARLIER_TICKETS
        ]

    # ticket.type is a query when the ticket was loaded without it (as for a reply), so
    # it is read only where it can change the outcome: the type adds nothing but the
    # feature signal, and that alone never matches. A message about no active incident
    # (nearly all of them) costs no query; one that matches is asked again with the type,
    # so the links and their `why` are what they were.
    found = about()
    if any(match.incident.features and "feature" not in match.why.split("+") for match in found):
        found = about(type_slug=ticket.type.slug)
    services.ticket_link(ticket=ticket, matches=found)


def bot_notices(*, conversation, text: str) -> list[notices.Notice]:
    """The incident's status, before the bot's answer, once per chat and incident; the
    chat is linked (certain) or put up for review (uncertain, and nothing is said)."""
    found = matching.match(text)
    if not found:
        return []
    made = services.conversation_link(conversation=conversation, matches=found)
    said = []
    for link in made:
        if link.state != link.State.LINKED:
            continue
        incident = link.incident
        said.append(
            notices.Notice(
                _("Known issue: %(title)s. %(status)s We will post updates here and on %(url)s.")
                % {
                    "title": incident.title(conversation.language),
                    "status": incident.status_text(conversation.language),
                    "url": reverse("helpcenter:announcements"),
                },
                {"incident": incident.pk},
            )
        )
    return said


def form_notices_for(*, type_slug: str, values: dict, subject: str, lang: str, user=None):
    """On the request form: the active incidents this request may be about (the type's
    feature, the coin or network chosen, words in the subject)."""
    feature = matching.TYPE_FEATURES.get(type_slug)
    hits = {
        hit.incident.pk
        for hit in matching.match(
            subject,
            coin=str(values.get("coin", "")),
            network=str(values.get("network", "")),
            type_slug=type_slug,
        )
    }
    shown = []
    for incident in matching.active_incidents():
        if (feature and feature in incident.features) or incident.pk in hits:
            if user is not None and user.is_authenticated:
                deflection.form_notice_seen(incident_id=incident.pk, user_id=user.pk)
            shown.append(
                form_notices.FormNotice(
                    title=incident.title(lang),
                    text=incident.status_text(lang),
                    url=reverse("helpcenter:announcements"),
                )
            )
    return shown


notices.register(bot_notices)
form_notices.register(form_notices_for)
