"""A legal name is compared with documents and shown to reviewers: no bidi control in it."""

from __future__ import annotations

import pytest

from accounts.kyc.services import kyc_submit
from accounts.models import KycLevel

from .conftest import adult_birth_date

pytestmark = pytest.mark.django_db


def test_a_legal_name_is_kept_without_bidirectional_controls(customer):
    # when: "Alice Example" with an override that shows the surname reversed
    submission = kyc_submit(
        user=customer,
        level=KycLevel.BASIC,
        documents={},
        legal_name="Alice \u202eelpmaxE\u202c",
        birth_date=adult_birth_date(),
        nationality="SG",
    )
    # then
    assert submission.legal_name == "Alice elpmaxE"
