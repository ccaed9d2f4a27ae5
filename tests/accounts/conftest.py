"""The accounts tests use the outbox's fixtures (a private broker queue, the tests' own
notification kinds): most account flows end in an email or a bell item."""

from tests.notifications.conftest import outbox_queue, test_kinds  # noqa: F401  (fixtures)
