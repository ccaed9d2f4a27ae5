"""The notification kinds of tickets (what customers and staff hear of a ticket), found
by the notifications app when Django is ready (notifications.registry.kinds_discover)."""

from tickets.notices import KINDS

__all__ = ["KINDS"]
