"""A customer, the freeze that makes the effect, and the clock of the sweep."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from accounts.effects import SWEEP_GRACE
from accounts.freeze.services import account_freeze
from accounts.models import AccountFreeze, User
from tickets.models import Ticket


def freeze(user: User) -> AccountFreeze:
    return account_freeze(
        user=user, source=AccountFreeze.Source.SECURITY_PAGE, reason="Phone stolen"
    )


def sweep_time(after: dt.timedelta = dt.timedelta(0)) -> dt.datetime:
    """When beat's sweep runs next, once the task's own minute (SWEEP_GRACE) is over."""
    return timezone.now() + SWEEP_GRACE + after


def security_tickets(user: User) -> list[Ticket]:
    return list(Ticket.objects.filter(requester=user, type__slug="account-security"))


@pytest.fixture
def seeded_types(transactional_db) -> None:
    """The ticket types the migrations seed, again: a transactional test's database was
    flushed by earlier ones (get_or_create: a no-op when they are still there)."""
    import_module("tickets.migrations.0002_ticket_types").create(django_apps, None)
    import_module("tickets.migrations.0009_security_review_types").create(django_apps, None)


@pytest.fixture
def lin(db) -> User:
    return User.objects.create_user("lin@example.test", "pw-long-enough-1", language="en")
