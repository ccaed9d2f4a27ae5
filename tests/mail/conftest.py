from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mail.dovecot import DovecotServer


@pytest.fixture
def dovecot() -> Iterator[DovecotServer]:
    """A fresh dovecot with an empty mailbox for each test (it starts in well under a second).

    Fails, never skips, when dovecot is missing: CI installs it, and a skipped IMAP suite
    would look green while testing nothing.
    """
    try:
        server = DovecotServer()
    except FileNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
