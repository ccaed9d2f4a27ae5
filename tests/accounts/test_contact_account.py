"""The account for someone who reached support only by an email address
(accounts.services.contact_account): found in any case, made once, never someone else's."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from accounts.models import User
from accounts.models.users import UID_MIN
from accounts.services import contact_account

pytestmark = pytest.mark.django_db


def test_a_new_address_gets_an_account_without_a_password_in_lower_case():
    user = contact_account(email="New.Customer@Example.TEST", language="zh-hans")
    assert user.pk is not None
    stored = User.objects.get(pk=user.pk)
    assert (stored.email, stored.language) == ("new.customer@example.test", "zh-hans")
    assert not stored.has_usable_password()


def test_the_same_address_in_another_case_is_the_same_account():
    first = contact_account(email="ann@example.test")
    again = contact_account(email="ANN@Example.test")
    assert again.pk == first.pk
    assert User.objects.filter(email__iexact="ann@example.test").count() == 1


def test_a_uid_drawn_twice_is_drawn_again_inside_the_callers_transaction(monkeypatch):
    taken = User.objects.create_user(email="taken@example.test", password=None)
    draws = iter([taken.uid - UID_MIN, 7])  # the first draw is the taken UID
    monkeypatch.setattr("accounts.models.users.secrets.randbelow", lambda _n: next(draws))
    with transaction.atomic():
        user = contact_account(email="bob@example.test")
        # No error left the transaction broken: it goes on and commits.
        assert User.objects.filter(email="bob@example.test").exists()
    assert user.uid == UID_MIN + 7
    assert User.objects.get(pk=user.pk).email == "bob@example.test"
    assert User.objects.get(pk=taken.pk).email == "taken@example.test"
    assert not connection.needs_rollback
