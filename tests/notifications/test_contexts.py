"""load_or_obsolete: what a kind's context builder uses to load the rows its ids name."""

from __future__ import annotations

import pytest

import notifications
from accounts.models import User


@pytest.mark.django_db
def test_a_row_that_exists_is_loaded_from_the_model_or_a_narrowed_queryset():
    user = User.objects.create_user(email="ana@example.com", password="x" * 12)
    assert notifications.load_or_obsolete(User, user.id, what="the person") == user
    active = User.objects.filter(is_active=True)
    assert notifications.load_or_obsolete(active, user.id, what="the person") == user


@pytest.mark.django_db
def test_a_row_that_is_gone_or_filtered_out_makes_the_notification_obsolete():
    user = User.objects.create_user(email="ben@example.com", password="x" * 12)
    user_id = user.id
    user.delete()
    with pytest.raises(notifications.NotificationObsolete, match="^the person is gone$"):
        notifications.load_or_obsolete(User, user_id, what="the person")
    other = User.objects.create_user(email="cy@example.com", password="x" * 12, is_active=False)
    with pytest.raises(notifications.NotificationObsolete, match="the person is gone"):
        notifications.load_or_obsolete(
            User.objects.filter(is_active=True), other.id, what="the person"
        )
