from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module

import pytest
from django.apps import apps as django_apps

from tests.mail.dovecot import DovecotServer


@pytest.fixture
def dovecot() -> Iterator[DovecotServer]:
    """A fresh dovecot with an empty mailbox for each test (it starts in well under a second).

    Fails, never skips, when dovecot is missing: CI installs it, and a skipped IMAP suite
    would look green while testing nothing.
    """
    try:
        server = DovecotServer()
    except (FileNotFoundError, RuntimeError) as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture
def seeded_types(transactional_db) -> None:
    """The request types a migration seeds (email tickets are of type "other"). Tests that
    commit run on a database an earlier such test flushed, migration data included; seed
    them again the way the migration does (get_or_create: a no-op when they are there)."""
    import_module("tickets.migrations.0002_ticket_types").create(django_apps, None)


@pytest.fixture
def private_media(settings, tmp_path):
    """Attachments go to a scratch folder, not the developer's media."""
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def alice(user_factory):
    """A customer who verified her address (allauth's EmailAddress)."""
    from allauth.account.models import EmailAddress

    user = user_factory(email="alice@example.test", language="en")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def agent(user_factory):
    from accounts.models import Role
    from accounts.services import user_role_grant

    user = user_factory(email="agent@example.test")
    user_role_grant(user=user, role=Role.AGENT)
    return user
