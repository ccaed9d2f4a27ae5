"""Demo chat profiles: agents who serve Chinese, English and both, so a customer in
either language reaches a person (the people themselves: accounts/demo.py)."""

from __future__ import annotations

from accounts.models import User
from livechat.services.chat_profiles import agent_profile_update

# email: (languages, skills, chats at once). Set again on every run: the demo promises
# these agents, whatever a previous session changed on the console.
CHAT_PROFILES = {
    "agent@beacon.test": (["en"], ["general", "trading"], 3),
    "agent.zh@beacon.test": (["zh-hans"], ["general", "kyc"], 3),
    "agent.both@beacon.test": (["en", "zh-hans"], ["general", "security"], 4),
    "supervisor@beacon.test": (["en", "zh-hans"], ["general"], 2),
}


def seed(out) -> None:
    people = User.objects.filter(email__in=CHAT_PROFILES)
    for agent in people.order_by("email"):
        languages, skills, capacity = CHAT_PROFILES[agent.email]
        presence = agent_profile_update(
            actor=agent, agent=agent, languages=languages, skills=skills, capacity=capacity
        )
        out.write(
            f"  chat: {agent.first_name:<5} {presence.staff_id}  {', '.join(languages)}"
            f"  ({', '.join(skills)}; {capacity} at once)"
        )
