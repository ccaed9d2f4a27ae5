"""Which channels a person gets each non-essential kind on.

Stored as one NotificationPreference row per (user, kind) the person has saved, rather
than a JSON field on the user: a row per choice keeps the user table untouched, is
validated by constraints, and answers "who turned X off" with one query.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from notifications.models import NotificationPreference
from notifications.registry import NotificationKind, kind_get, kinds_for_user

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class KindChoice:
    kind: NotificationKind
    enabled: frozenset[str]


def channels_enabled(*, user: User | None, kind: NotificationKind) -> frozenset[str]:
    """The channels `user` gets `kind` on; all of them for essential kinds."""
    if kind.essential:
        return kind.channels
    if user is None:  # no account, no preferences
        return kind.default_channels
    choice = NotificationPreference.objects.filter(user=user, kind=kind.name).first()
    return kind.default_channels if choice is None else _enabled(kind, choice)


def notification_preferences_for(*, user: User) -> list[KindChoice]:
    """Every kind `user` may get with the channels it reaches them on, in one query."""
    saved = {choice.kind: choice for choice in NotificationPreference.objects.filter(user=user)}
    return [
        KindChoice(
            kind,
            kind.channels
            if kind.essential
            else _enabled(kind, saved[kind.name])
            if kind.name in saved
            else kind.default_channels,
        )
        for kind in kinds_for_user(user)
    ]


@transaction.atomic
def notification_preferences_update(*, user: User, choices: Mapping[str, Collection[str]]) -> None:
    """Save, per non-essential kind, the channels `user` wants it on.

    Kinds missing from `choices` keep their current setting.
    """
    for name, channels in choices.items():
        kind = _choosable_kind(user=user, name=name)
        if not set(channels) <= kind.channels:
            raise ApplicationError(_("That notification cannot be sent that way."))
        # update_or_create rather than full_clean + save: two booleans and a registered
        # name leave nothing to validate, and it survives two saves racing on one kind.
        NotificationPreference.objects.update_or_create(
            user=user,
            kind=name,
            defaults={"email": "email" in channels, "bell": "bell" in channels},
        )


def _choosable_kind(*, user: User, name: str) -> NotificationKind:
    try:
        kind = kind_get(name)
    except LookupError:
        raise ApplicationError(_("Unknown notification.")) from None
    if not kind.visible_to(user):
        raise ApplicationError(_("Unknown notification."))
    if kind.essential:
        raise ApplicationError(_("This notification cannot be turned off."))
    return kind


def _enabled(kind: NotificationKind, choice: NotificationPreference) -> frozenset[str]:
    return frozenset(channel for channel in kind.channels if getattr(choice, channel))
