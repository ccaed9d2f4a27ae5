"""The emergency freeze: lock everything at once; lift it after an approved appeal.

Freezing sets `is_active=False`, which is what every door already checks: allauth sends
a right password to the account_inactive page, ModelBackend and knox's TokenAuthentication
refuse the person, and Django's session auth drops them on their next request. Then it
takes away what is already open: sessions, API tokens and (after commit) websockets.
"""

from __future__ import annotations

from allauth.usersessions.models import UserSession
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop
from knox.models import AuthToken

import notifications
from accounts.audit import client_ip, security_event_record
from accounts.effects import send_durably
from accounts.freeze import notices
from accounts.freeze.permissions import freeze_check, is_staff_account
from accounts.models import AccountFreeze, SecurityEvent, User
from accounts.signals import account_frozen, account_unfrozen
from core.realtime import broadcast_on_commit

# The websocket event that makes every open consumer of the person close (code 4403).
CLOSE_EVENT = "account.closed"
# Stored when the person gave no reason (the reason is optional for them, not for agents).
# Stored in English, shown in the viewer's language (accounts/templatetags/freeze_tags.py).
DEFAULT_REASONS = {
    AccountFreeze.Source.SECURITY_PAGE: gettext_noop(
        "Frozen by the customer from the security page."
    ),
    AccountFreeze.Source.ALERT_LINK: gettext_noop(
        "Frozen by the customer from a new sign-in alert."
    ),
    AccountFreeze.Source.CHAT_BOT: gettext_noop("Frozen by the customer through the chat bot."),
    AccountFreeze.Source.AGENT: gettext_noop("Frozen by an agent on the customer's behalf."),
}


def active_freeze(*, user: User) -> AccountFreeze | None:
    return AccountFreeze.objects.filter(user=user, lifted_at__isnull=True).first()


@transaction.atomic
def account_freeze(
    *,
    user: User,
    source: AccountFreeze.Source,
    actor: User | None = None,
    reason: str,
    request: HttpRequest | None = None,
) -> AccountFreeze:
    """Freeze `user` now; a second freeze returns the active one and does nothing more.

    `actor` is whoever did it when it was not the person (an agent); `reason` may be
    empty for the person themselves. Raises FreezeRefused, before any write, when
    `actor` may not freeze `user` (a staff account needs an administrator).
    """
    freeze_check(actor=actor, user=user)
    locked = User.objects.select_for_update().get(pk=user.pk)  # two freezes at once queue here
    existing = active_freeze(user=locked)
    if existing is not None:
        return existing
    freeze = AccountFreeze(
        user=locked,
        source=source,
        actor=actor,
        reason=reason.strip() or DEFAULT_REASONS[AccountFreeze.Source(source)],
        ip=client_ip(request),
    )
    freeze.full_clean()
    freeze.save()
    locked.is_active = user.is_active = False
    locked.save(update_fields=["is_active"])
    sessions = _sessions_end(locked)
    tokens, _detail = AuthToken.objects.filter(user=locked).delete()
    security_event_record(
        user=locked,
        kind=SecurityEvent.Kind.FROZEN,
        request=request,
        actor=actor,
        freeze_id=freeze.id,
        source=freeze.source,
        reason=freeze.reason,
        sessions_ended=sessions,
        tokens_revoked=tokens,
        staff_account=is_staff_account(locked),
    )
    notices.frozen_notify(freeze=freeze)
    # The security ticket: recorded with the freeze, opened by a task (accounts/effects.py).
    send_durably(account_frozen, user=locked, freeze=freeze)
    broadcast_on_commit(notifications.user_group(locked.id), {"type": CLOSE_EVENT})
    return freeze


def account_freeze_from_chat(*, user: User, reason: str) -> AccountFreeze:
    """The chat bot's way in: the signed-in customer asked it to freeze their account."""
    return account_freeze(user=user, source=AccountFreeze.Source.CHAT_BOT, reason=reason)


@transaction.atomic
def account_unfreeze(
    *,
    user: User,
    actor: User | None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> AccountFreeze | None:
    """Lift the active freeze and let the person sign in again; None if none was active."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    freeze = active_freeze(user=locked)
    if freeze is None:
        return None
    freeze.lifted_at = timezone.now()
    freeze.lifted_by = actor
    freeze.save(update_fields=["lifted_at", "lifted_by"])
    locked.is_active = user.is_active = True
    locked.save(update_fields=["is_active"])
    security_event_record(
        user=locked,
        kind=SecurityEvent.Kind.UNFROZEN,
        request=request,
        actor=actor,
        freeze_id=freeze.id,
        reason=reason,
    )
    send_durably(account_unfrozen, user=locked, freeze=freeze)
    return freeze


def _sessions_end(user: User) -> int:
    """End every session allauth tracks for `user` (every browser that made a request
    since signing in). A session it never saw is dead all the same: Django drops an
    inactive user on the next request. Scanning all session rows for the rest would make
    a freeze cost grow with the site's traffic."""
    ended = 0
    for user_session in UserSession.objects.filter(user=user):
        user_session.end()
        ended += 1
    return ended
