"""Exceptions of the notification outbox; imported by the Celery task at definition time."""

from __future__ import annotations


class NotificationObsolete(Exception):
    """Raised by a kind's context builder when what the row is about no longer exists.

    The row is then marked skipped, not failed: there is nothing left to tell anyone.
    """


class TransientSendError(Exception):
    """The mail server or the database failed in a way that may pass; the task retries."""
