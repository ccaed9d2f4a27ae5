from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.services import user_preferences_update

pytestmark = pytest.mark.django_db


def test_create_user_gets_a_public_uid_of_at_least_eight_digits():
    user = User.objects.create_user("Someone@Example.TEST", "a-long-password-1")
    assert len(str(user.uid)) >= 8
    assert user.email == "someone@example.test"
    assert user.check_password("a-long-password-1")


def test_uids_are_unique():
    uids = {User.objects.create_user(f"u{i}@example.test", "pw-123456789").uid for i in range(50)}
    assert len(uids) == 50


def test_user_preferences_update_rejects_unknown_time_zone(customer):
    with pytest.raises(ValidationError):
        user_preferences_update(user=customer, time_zone="Mars/Olympus_Mons")
    customer.refresh_from_db()
    assert customer.time_zone == ""


def test_user_preferences_update_saves_language_and_zone(customer):
    user_preferences_update(user=customer, language="zh-hans", time_zone="Asia/Shanghai")
    customer.refresh_from_db()
    assert (customer.language, customer.time_zone) == ("zh-hans", "Asia/Shanghai")
