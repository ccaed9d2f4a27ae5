"""The notification kinds of the forum, found by the notifications app when Django is
ready (notifications.registry.kinds_discover)."""

from community.notices import KINDS

__all__ = ["KINDS"]
