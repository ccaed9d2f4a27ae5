"""Declaring, updating and resolving an incident; linking tickets and chats to it.

Who may: operations leads, i.e. supervisors and administrators (tickets.permissions).
Updates reach customers through `deliver` (a Celery task, safe to run twice: each link
records the last update it was sent, in the same transaction as the sending).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from helpcenter.models import Announcement
from helpcenter.services import announcement_save
from incidents.matching import ACTIVE_CACHE_KEY, Match
from incidents.models import Incident, IncidentLink, IncidentUpdate
from tickets.permissions import is_supervisor

logger = logging.getLogger(__name__)

MAX_LIST = 20  # coins, networks, features or keywords on one incident
DELIVER_BATCH = 100


def _require_lead(actor) -> None:
    if not is_supervisor(actor):
        raise PermissionDenied


def _clean_list(values, *, upper: bool = False, allowed=None) -> list[str]:
    if isinstance(values, str):
        values = values.replace("，", ",").split(",")
    cleaned = []
    for value in values or []:
        value = str(value).strip()[:40]
        value = value.upper() if upper else value
        if value and value not in cleaned and (allowed is None or value in allowed):
            cleaned.append(value)
    if len(cleaned) > MAX_LIST:
        raise ApplicationError(_("At most %(n)d of each.") % {"n": MAX_LIST}, code="too_many")
    return cleaned


def _forget_active() -> None:
    # robust: the change is committed; without the cache the list is read each time anyway.
    transaction.on_commit(lambda: cache.delete(ACTIVE_CACHE_KEY), robust=True)


def _banner_text(incident: Incident) -> tuple[str, str]:
    return incident.status_en, incident.status_zh_hans


@transaction.atomic
def incident_declare(
    *,
    actor,
    title_en: str,
    title_zh_hans: str,
    status_en: str,
    status_zh_hans: str,
    coins=(),
    networks=(),
    features=(),
    keywords=(),
) -> Incident:
    """Declare it: the incident, its maintenance announcement (the banner on every page)."""
    _require_lead(actor)
    texts = [title_en, title_zh_hans, status_en, status_zh_hans]
    if not all(isinstance(t, str) and t.strip() for t in texts):
        raise ApplicationError(
            _("Give the title and the status in both languages."), code="incomplete"
        )
    incident = Incident(
        title_en=title_en.strip()[:200],
        title_zh_hans=title_zh_hans.strip()[:200],
        status_en=status_en.strip()[:2000],
        status_zh_hans=status_zh_hans.strip()[:2000],
        coins=_clean_list(coins, upper=True),
        networks=_clean_list(networks, upper=True),
        features=_clean_list(features, allowed=set(Incident.Feature.values)),
        keywords=_clean_list(keywords),
        declared_by=actor,
    )
    if not (incident.coins or incident.networks or incident.features or incident.keywords):
        raise ApplicationError(
            _("Name what is affected: a coin, a network, a feature or a keyword."),
            code="nothing_affected",
        )
    announcement = Announcement(
        kind=Announcement.Kind.MAINTENANCE,
        title_en=incident.title_en,
        title_zh_hans=incident.title_zh_hans,
        body_en=incident.status_en,
        body_zh_hans=incident.status_zh_hans,
        pinned=True,
        starts_at=timezone.now(),
    )
    incident.announcement = announcement_save(announcement=announcement)
    incident.save()
    _forget_active()
    return incident


def _locked_active(incident: Incident) -> Incident:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status != Incident.Status.ACTIVE:
        raise ApplicationError(_("This incident is resolved."), code="already_resolved")
    return locked


@transaction.atomic
def incident_post_update(
    *, actor, incident: Incident, body_en: str, body_zh_hans: str, resolve: bool = False
) -> IncidentUpdate:
    """Tell every linked customer (in their language), and the banner; `resolve` also
    solves the linked tickets and takes the banner down. Sent by `deliver` after commit."""
    _require_lead(actor)
    if not all(isinstance(t, str) and t.strip() for t in (body_en, body_zh_hans)):
        raise ApplicationError(_("Write the update in both languages."), code="incomplete")
    locked = _locked_active(incident)
    locked.last_update += 1
    locked.status_en, locked.status_zh_hans = body_en.strip()[:2000], body_zh_hans.strip()[:2000]
    fields = ["last_update", "status_en", "status_zh_hans"]
    if resolve:
        locked.status = Incident.Status.RESOLVED
        locked.resolved_at = timezone.now()
        fields += ["status", "resolved_at"]
    locked.save(update_fields=fields)
    update = IncidentUpdate.objects.create(
        incident=locked,
        number=locked.last_update,
        body_en=body_en.strip()[:4000],
        body_zh_hans=body_zh_hans.strip()[:4000],
        resolves=resolve,
        author=actor,
    )
    if locked.announcement_id:
        announcement = locked.announcement
        announcement.body_en, announcement.body_zh_hans = _banner_text(locked)
        if resolve:
            announcement.ends_at = max(
                timezone.now(), announcement.starts_at + timedelta(seconds=1)
            )
            announcement.pinned = False
        announcement_save(announcement=announcement)
    _forget_active()
    from incidents.tasks import deliver_updates

    transaction.on_commit(lambda: deliver_updates.delay(locked.pk), robust=True)
    return update


def _link(*, incident_match: Match, ticket=None, conversation=None) -> IncidentLink | None:
    state = IncidentLink.State.LINKED if incident_match.certain else IncidentLink.State.REVIEW
    try:
        with transaction.atomic():
            return IncidentLink.objects.create(
                incident=incident_match.incident,
                ticket=ticket,
                conversation=conversation,
                state=state,
                why=incident_match.why[:200],
            )
    except IntegrityError:  # linked already (a retry, a second message)
        return None


def ticket_link(*, ticket, matches: list[Match]) -> list[IncidentLink]:
    """Link a new ticket to the incidents it matches (called in its transaction)."""
    made = [_link(incident_match=m, ticket=ticket) for m in matches]
    return [link for link in made if link is not None]


def conversation_link(*, conversation, matches: list[Match]) -> list[IncidentLink]:
    made = [_link(incident_match=m, conversation=conversation) for m in matches]
    return [link for link in made if link is not None]


@transaction.atomic
def link_review(*, actor, link_id: int, accept: bool) -> IncidentLink:
    """A person decides an uncertain link: about the incident (linked) or not."""
    _require_lead(actor)
    link = IncidentLink.objects.select_for_update().filter(pk=link_id).first()
    if link is None:
        raise ApplicationError(_("No such link."), code="not_found")
    link.state = IncidentLink.State.LINKED if accept else IncidentLink.State.REJECTED
    link.save(update_fields=["state"])
    if accept and link.incident.last_update > link.heard:
        from incidents.tasks import deliver_updates

        transaction.on_commit(lambda: deliver_updates.delay(link.incident_id), robust=True)
    return link


def deliver(*, incident_id: int, batch: int = DELIVER_BATCH) -> int:
    """Send each linked customer the updates they have not had; returns how many links
    were brought up to date. Each link in its own transaction, locked (SKIP LOCKED), so
    two workers never send the same update twice and a crash resends only what was not
    recorded."""
    done = 0
    while True:
        with transaction.atomic():
            links = list(
                IncidentLink.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("incident", "ticket", "conversation")
                .filter(
                    incident_id=incident_id,
                    state=IncidentLink.State.LINKED,
                    heard__lt=Incident.objects.filter(pk=incident_id).values("last_update")[:1],
                )
                .order_by("id")[:batch]
            )
            for link in links:
                _bring_up_to_date(link)
            done += len(links)
        if len(links) < batch:
            return done


def _bring_up_to_date(link: IncidentLink) -> None:
    from incidents import delivery

    updates = IncidentUpdate.objects.filter(
        incident_id=link.incident_id, number__gt=link.heard
    ).order_by("number")
    for update in updates:
        if link.ticket_id:
            delivery.to_ticket(link.ticket, update)
        else:
            delivery.to_conversation(link.conversation, update)
        link.heard = update.number
    link.save(update_fields=["heard"])
