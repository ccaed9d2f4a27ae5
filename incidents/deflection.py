"""How many contacts an incident's notices saved: customers shown "this is known" on the
request form who did not file after all, and chats the bot's status answer closed without
a person. Form sightings are counted in the cache (a page view writes no row): one per
person and incident, for as long as the incident can last.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q

from incidents.models import Incident, IncidentLink

logger = logging.getLogger(__name__)

SEEN_SECONDS = 14 * 24 * 3600


def _seen_key(incident_id: int, user_id: int) -> str:
    return f"incidents:form-seen:{incident_id}:{user_id}"


def _count_key(incident_id: int) -> str:
    return f"incidents:form-shown:{incident_id}"


def form_notice_seen(*, incident_id: int, user_id: int) -> None:
    """A signed-in customer was shown the incident on the request form (once counted).
    The figures are best effort: without the cache (Redis down) the form still shows."""
    try:
        if cache.add(_seen_key(incident_id, user_id), 1, SEEN_SECONDS):
            cache.add(_count_key(incident_id), 0, SEEN_SECONDS)
            cache.incr(_count_key(incident_id))
    except Exception:
        logger.warning("incident form notice not counted", exc_info=True)


def saw_form_notice(*, incident_id: int, user_id: int) -> bool:
    try:
        return cache.get(_seen_key(incident_id, user_id)) is not None
    except Exception:
        logger.warning("incident form notice unknown", exc_info=True)
        return False


@dataclass(frozen=True)
class Figures:
    tickets: int  # requests linked to the incident
    chats: int  # chats linked to it
    to_review: int
    form_shown: int  # customers shown it on the request form
    filed_anyway: int  # of those, how many filed a request about it
    bot_closed: int  # linked chats that ended without reaching a person

    @property
    def form_deflected(self) -> int:
        return max(self.form_shown - self.filed_anyway, 0)


def figures(incident: Incident) -> Figures:
    links = IncidentLink.objects.filter(incident=incident)
    linked = links.filter(state=IncidentLink.State.LINKED)
    tickets = list(linked.exclude(ticket=None).values_list("ticket__requester_id", flat=True))
    filed_anyway = sum(
        saw_form_notice(incident_id=incident.pk, user_id=requester) for requester in set(tickets)
    )
    bot_closed = linked.filter(
        Q(conversation__status="ended") & Q(conversation__assigned_at__isnull=True)
    ).count()
    return Figures(
        tickets=len(tickets),
        chats=linked.exclude(conversation=None).count(),
        to_review=links.filter(state=IncidentLink.State.REVIEW).count(),
        form_shown=_form_shown(incident.pk),
        filed_anyway=filed_anyway,
        bot_closed=bot_closed,
    )


def _form_shown(incident_id: int) -> int:
    try:
        return int(cache.get(_count_key(incident_id)) or 0)
    except Exception:
        logger.warning("incident form figures unavailable", exc_info=True)
        return 0
