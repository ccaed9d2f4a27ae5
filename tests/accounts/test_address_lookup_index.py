"""An address is looked up in any case (`email__iexact`: sign-in by address, every inbound
email, every chat visitor who gives one). At a million accounts that must be an index
look-up, not a read of the whole table: the plan PostgreSQL chooses says which (a plan,
not a timing)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.db import connection

from accounts.models import User

pytestmark = pytest.mark.django_db


def plan_of(queryset) -> str:
    with connection.cursor() as cursor:
        # A small test table is cheapest to read whole; price that out, so the plan shows
        # whether an index *can* answer the look-up.
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_an_account_is_found_by_its_address_in_any_case_through_an_index():
    User.objects.create_user(email="ann@example.test", password=None)
    plan = plan_of(User.objects.filter(email__iexact="Ann@Example.TEST"))
    assert "user_email_upper" in plan


def test_a_verified_address_is_found_in_any_case_through_an_index():
    user = User.objects.create_user(email="bob@example.test", password=None)
    EmailAddress.objects.create(user=user, email="bob@example.test", verified=True, primary=True)
    plan = plan_of(EmailAddress.objects.filter(email__iexact="BOB@example.test", verified=True))
    assert "account_emailaddress_email_upper" in plan
