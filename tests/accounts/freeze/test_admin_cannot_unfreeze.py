"""A frozen account is unfrozen by a reviewed appeal, never by ticking "active" in the
admin site: that would open every door with the freeze still on record as active."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.freeze.services import account_freeze, active_freeze
from accounts.models import AccountFreeze, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser("root@beacon.test", "pw-long-enough-1")


def change_form(user: User, **changes) -> dict:
    """What the admin's change form posts for `user`, with `changes` on top."""
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "time_zone": user.time_zone,
        "is_staff": "",
        "is_superuser": "",
        "_save": "Save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_ticking_active_on_a_frozen_account_changes_nothing(root, mei):
    freeze = account_freeze(user=mei, source=AccountFreeze.Source.SECURITY_PAGE, reason="")
    admin = Client()
    admin.force_login(root)
    url = f"/admin/accounts/user/{mei.pk}/change/"
    assert 'name="is_active"' not in admin.get(url).content.decode()

    response = admin.post(url, change_form(mei, is_active="on", first_name="Mei Mei"))

    assert response.status_code == 302  # saved: the other fields still change
    mei.refresh_from_db()
    assert (mei.first_name, mei.is_active) == ("Mei Mei", False)
    assert active_freeze(user=mei) == freeze


def test_an_account_that_is_not_frozen_can_still_be_deactivated(root, mei):
    admin = Client()
    admin.force_login(root)
    url = f"/admin/accounts/user/{mei.pk}/change/"
    assert 'name="is_active"' in admin.get(url).content.decode()

    response = admin.post(url, change_form(mei))  # the box unticked

    assert response.status_code == 302
    mei.refresh_from_db()
    assert mei.is_active is False
