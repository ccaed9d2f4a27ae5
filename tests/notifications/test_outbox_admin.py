"""The outbox in the admin: visible to operators, never edited by hand."""

from __future__ import annotations

import pytest

import notifications
from tests.notifications.conftest import hello_context

pytestmark = pytest.mark.django_db


def test_notification_admin_lists_and_shows_rows_read_only(test_kinds, client, user_factory):
    # given
    admin = user_factory(is_staff=True, is_superuser=True)
    (row,) = notifications.notify(
        kind="outbox_test.hello", recipient=admin, context=hello_context(admin)
    )
    client.force_login(admin)
    # when
    listing = client.get("/admin/notifications/notification/?status=pending")
    detail = client.get(f"/admin/notifications/notification/{row.id}/change/")
    # then
    assert listing.status_code == 200 and "outbox_test.hello" in listing.content.decode()
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.get("/admin/notifications/notification/add/").status_code == 403
    assert client.get("/admin/notifications/notificationpreference/").status_code == 200
