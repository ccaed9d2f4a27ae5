"""For the agent console: which platform a chat comes from, and what its sender has proven.

{% load outside %}
{% external_party_badge party %}      party: from outside.selectors.external_contacts_for
                                      (one query for a list) or external_contact_for
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("outside/_party_badge.html")
def external_party_badge(party) -> dict:
    return {"party": party}
