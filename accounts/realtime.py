"""What an open websocket must hear about its person and its session, and when.

Every signed-in socket joins its person's group (notifications.user_group) and
every socket with a session its session's group; accounts.sockets.AccountSocket acts on
these events:

- `account.closed` (the freeze, accounts.freeze.services): hang up 4403 at once;
- `session.ended` (sign-out, a session ended from the sessions page, by a freeze or by
  an admin): hang up that session's sockets 4401;
- `access.changed` (a role or a factor removed, the account deactivated or its
  password changed): each socket asks again whether it would be let in now.

The receivers are connected in AccountsConfig.ready. Each event leaves after commit; a
lost one is repaired by the sockets' own periodic check (accounts.sockets).
"""

from __future__ import annotations

import hashlib

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from accounts.models import User
from core.realtime import broadcast_on_commit, group_name
from notifications import user_group

SESSION_ENDED = "session.ended"
ACCESS_CHANGED = "access.changed"
# Saving any of these may shut a door: the socket asks again. (Saving last_login at each
# sign-in, the language or the time zone does not.)
ACCESS_FIELDS = frozenset(
    {"is_active", "is_staff", "is_superuser", "mfa_reenrolment_required", "password"}
)


def session_group(session_key: str) -> str:
    """The group of one browser session's sockets. Named by a digest: group names sit in
    Redis, session keys must not."""
    return group_name("session", hashlib.sha256(session_key.encode()).hexdigest()[:32])


def session_ended(session_key: str | None) -> None:
    if session_key:
        broadcast_on_commit(session_group(session_key), {"type": SESSION_ENDED})


def access_changed(user_id: int) -> None:
    broadcast_on_commit(user_group(user_id), {"type": ACCESS_CHANGED})


@receiver(user_logged_out, dispatch_uid="accounts.realtime.logged_out")
def _on_sign_out(sender, request, user, **kwargs) -> None:
    # Sent before the session is flushed: its key is still the browser's.
    session = getattr(request, "session", None)
    session_ended(getattr(session, "session_key", None))


@receiver(post_delete, sender=UserSession, dispatch_uid="accounts.realtime.session_end")
def _on_session_end(sender, instance: UserSession, **kwargs) -> None:
    # allauth's UserSession.end() (the sessions page, the freeze) deletes the row after
    # the session; so does its purge of sessions already gone, where this is harmless.
    session_ended(instance.session_key)


@receiver(post_save, sender=User, dispatch_uid="accounts.realtime.user_saved")
def _on_user_saved(sender, instance: User, created: bool, update_fields=None, **kwargs) -> None:
    if created:
        return
    if update_fields is None or ACCESS_FIELDS.intersection(update_fields):
        access_changed(instance.pk)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts.realtime.roles")
def _on_roles_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """A role taken away (roles are groups), from the user's side or the group's."""
    if action == "pre_clear" and reverse:
        # The group's members are about to go; after the clear they cannot be named.
        instance._beacon_cleared_members = list(instance.user_set.values_list("pk", flat=True))
        return
    if action not in {"post_remove", "post_clear"}:
        return
    if not reverse:
        access_changed(instance.pk)
        return
    members = (
        pk_set if action == "post_remove" else getattr(instance, "_beacon_cleared_members", [])
    )
    for user_id in members or ():
        access_changed(user_id)


@receiver(pre_delete, sender=Authenticator, dispatch_uid="accounts.realtime.factor_removed")
def _on_factor_removed(sender, instance: Authenticator, **kwargs) -> None:
    # Staff without a factor lose the staff areas (accounts.twofactor.rules).
    access_changed(instance.user_id)
