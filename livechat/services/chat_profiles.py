"""An agent's chat profile: the languages and skills they serve, and how many chats at once.

Agents set their own; supervisors set anyone's. Beacon has no team-to-supervisor link
(tickets.Team has members only, and supervisors already see every ticket), so a
supervisor may edit any agent's profile.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, NotFound
from livechat.models import AgentPresence, Conversation
from livechat.services.presence import presence_for
from tickets.permissions import is_staff_agent, is_supervisor

# Chats one person can follow at once: 1 keeps an agent in the queue at all, 20 is well
# past what anyone types into in parallel (most desks use 2-6).
CAPACITY_MIN = 1
CAPACITY_MAX = 20


def chat_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def profile_may_edit(*, actor, agent) -> bool:
    """Their own profile for agents; any agent's for supervisors."""
    if not (is_staff_agent(actor) and is_staff_agent(agent)):
        return False
    return actor.pk == agent.pk or is_supervisor(actor)


def _checked(languages: list[str], skills: list[str], capacity: int) -> dict[str, str]:
    """Field errors, by field; none: the values may be saved."""
    errors = {}
    if not languages:
        errors["languages"] = _("Choose at least one language.")
    elif set(languages) - set(chat_languages()):
        errors["languages"] = _("Choose languages from the list.")
    if not skills:
        errors["skills"] = _("Choose at least one skill.")
    elif set(skills) - set(Conversation.Skill.values):
        errors["skills"] = _("Choose skills from the list.")
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        errors["capacity"] = _("Enter a whole number of chats.")
    elif not CAPACITY_MIN <= capacity <= CAPACITY_MAX:
        errors["capacity"] = _("Enter a number from %(low)s to %(high)s.") % {
            "low": CAPACITY_MIN,
            "high": CAPACITY_MAX,
        }
    return errors


def _widens(before: AgentPresence, *, languages, skills, capacity) -> bool:
    return (
        bool(set(languages) - set(before.languages or []))
        or bool(set(skills) - set(before.skills or []))
        or capacity > before.capacity
    )


@transaction.atomic
def agent_profile_update(
    *, actor, agent, languages: list[str], skills: list[str], capacity: int
) -> AgentPresence:
    """Save the agent's chat profile; a wider one is offered waiting chats at once.

    Raises NotFound when `actor` may not edit `agent`'s profile, and ApplicationError
    (extra: field errors) for values outside the lists or the capacity range.
    """
    if not profile_may_edit(actor=actor, agent=agent):
        raise NotFound(_("No such agent."), code="not_found")
    errors = _checked(languages, skills, capacity)
    if errors:
        raise ApplicationError(_("Check the chat profile."), code="invalid", extra=errors)
    presence = AgentPresence.objects.select_for_update().get(pk=presence_for(agent).pk)
    wider = _widens(presence, languages=languages, skills=skills, capacity=capacity)
    # Kept in the lists' order, so the page and the routing read them the same way.
    presence.languages = [code for code in chat_languages() if code in languages]
    presence.skills = [skill for skill in Conversation.Skill.values if skill in skills]
    presence.capacity = capacity
    presence.save(update_fields=["languages", "skills", "capacity"])
    transaction.on_commit(_after_change(wider), robust=True)
    return presence


def _after_change(wider: bool):
    """Routing, once committed (it must see the new profile); else the waiting chats'
    positions and estimates, which depend on who serves what."""

    def run() -> None:
        from livechat.services.queue import queue_broadcast
        from livechat.services.routing import assign_waiting

        if wider and assign_waiting():
            return
        with transaction.atomic():
            queue_broadcast()

    return run
