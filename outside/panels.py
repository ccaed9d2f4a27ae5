"""The platform user beside a chat in the agent's console (livechat.console_panels)."""

from __future__ import annotations

from django.template.loader import render_to_string

from outside.selectors import external_contact_for


def platform_panel(conversation) -> str:
    party = external_contact_for(conversation)
    if party is None:
        return ""
    return render_to_string("outside/_party_badge.html", {"party": party})
