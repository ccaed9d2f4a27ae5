"""The kinds of notification: each app lists its own in `<app>/notification_kinds.py`
(KINDS), which this app finds and registers when Django is ready (`kinds_discover`).

A kind says what a notification is: whether people may turn it off, where it may go,
its subject (also the bell title), its email templates and how to build their context
from the row's stored context at send time.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from accounts.models import User

EMAIL, BELL = "email", "bell"
CHANNELS = (EMAIL, BELL)  # the order the preferences page shows them in
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def _stored_context(context: Mapping[str, Any]) -> dict[str, Any]:
    return dict(context)


@dataclass(frozen=True, kw_only=True)
class NotificationKind:
    """One kind of notification, e.g. "ticket.received".

    `subject` is a translatable %-format string filled from the *stored* context (plain
    values only, so the bell can show it without touching the database); it is the email
    subject and the bell title. `link` turns the stored context into a site path.
    `build_context` turns the stored context into the email templates' context at send
    time (load objects by id there with `load_or_obsolete`, which raises
    NotificationObsolete when they are gone).
    Templates: `template + ".txt"` and `template + ".html"`, extending
    accounts/email/base.txt and base.html, which hold the anti-phishing block.
    """

    name: str
    label: str | Promise  # shown on the preferences page
    subject: str | Promise
    template: str = ""  # "tickets/email/ticket_received"; required when email is a channel
    build_context: Callable[[Mapping[str, Any]], dict[str, Any]] = _stored_context
    link: Callable[[Mapping[str, Any]], str] | None = None
    channels: frozenset[str] = frozenset({EMAIL})
    # On for people who have not chosen; None means every channel of the kind.
    default_channels: frozenset[str] | None = None
    # Security notices, SLA breaches and the like: nobody may turn them off.
    essential: bool = False
    # Agent and supervisor notices: only staff see them on the preferences page.
    staff_only: bool = False
    description: str | Promise = field(default="")
    # The email thread the stored context belongs to ("ticket-42"): its emails carry
    # In-Reply-To/References and a Reply-To that lead a reply back (notifications.threads).
    thread: Callable[[Mapping[str, Any]], str] | None = None
    # Files to attach, from the stored context at send time: (name, bytes, content type).
    attachments: Callable[[Mapping[str, Any]], list[tuple[str, bytes, str]]] | None = None
    # Written by a person (an agent's reply), so not marked Auto-Submitted.
    human: bool = False

    def __post_init__(self) -> None:
        if not _NAME.match(self.name) or len(self.name) > 64:
            raise ImproperlyConfigured(f"Bad notification kind name {self.name!r}.")
        if not self.channels or not self.channels <= set(CHANNELS):
            raise ImproperlyConfigured(f"{self.name}: channels must be within {CHANNELS}.")
        if EMAIL in self.channels and not self.template:
            raise ImproperlyConfigured(f"{self.name}: an email kind needs a template.")
        if self.default_channels is None:
            object.__setattr__(self, "default_channels", frozenset(self.channels))
        elif not self.default_channels <= self.channels:
            raise ImproperlyConfigured(f"{self.name}: default channels must be its channels.")

    def ordered_channels(self) -> list[str]:
        return [channel for channel in CHANNELS if channel in self.channels]

    def visible_to(self, user: User) -> bool:
        return user.is_staff or not self.staff_only


_KINDS: dict[str, NotificationKind] = {}


def register(kind: NotificationKind) -> NotificationKind:
    """Make `kind` known; registering another kind under a taken name is a mistake.
    Apps do not call this: they list their kinds in notification_kinds.py."""
    existing = _KINDS.get(kind.name)
    if existing is not None and existing != kind:
        raise ImproperlyConfigured(f"Notification kind {kind.name!r} is already registered.")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """For tests that register a kind of their own (apps list theirs in KINDS)."""
    _KINDS.pop(name, None)


def kind_get(name: str) -> NotificationKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"No notification kind {name!r} is registered.") from None


def kinds_all() -> Iterable[NotificationKind]:
    return list(_KINDS.values())


def kinds_for_user(user: User) -> list[NotificationKind]:
    """The kinds `user` may get, for the preferences page: by label within essential/not."""
    kinds = [kind for kind in _KINDS.values() if kind.visible_to(user)]
    return sorted(kinds, key=lambda kind: (kind.essential, str(kind.label)))


# Each app declares its kinds in this module, as a sequence named KINDS.
KINDS_MODULE = "notification_kinds"


def kinds_discover() -> None:
    """Register the KINDS of every installed app's notification_kinds module.

    Called once from NotificationsConfig.ready(), when every model is loaded; the one way
    a kind becomes known, as admin.py is the one way a model reaches the admin.
    """
    autodiscover_modules(KINDS_MODULE)
    for app_config in apps.get_app_configs():
        module = sys.modules.get(f"{app_config.name}.{KINDS_MODULE}")
        if module is None:
            continue
        kinds = getattr(module, "KINDS", None)
        if kinds is None:
            raise ImproperlyConfigured(f"{module.__name__} must define KINDS.")
        for kind in kinds:
            register(kind)
