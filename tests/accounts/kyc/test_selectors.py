"""What the freeze and 2FA-reset reviews compare identities against."""

from __future__ import annotations

from accounts.kyc.selectors import kyc_level_for, kyc_record_for
from accounts.kyc.services import kyc_review

from .conftest import approve, submit_advanced, submit_basic


def test_nothing_approved_is_level_0(customer):
    submit_basic(customer)  # pending does not count

    assert kyc_record_for(customer) is None
    assert kyc_level_for(customer) == 0


def test_the_record_is_the_highest_approved_level(customer, reviewer):
    basic = approve(submit_basic(customer), reviewer)
    rejected = submit_advanced(customer)
    kyc_review(reviewer=reviewer, submission_id=rejected.id, approve=False, reasons=["blurred"])

    assert kyc_record_for(customer) == basic
    assert kyc_level_for(customer) == 1

    advanced = approve(submit_advanced(customer, seed=20), reviewer)

    assert kyc_record_for(customer) == advanced
    assert kyc_level_for(customer) == 2
    assert kyc_record_for(customer).legal_name == "Alice Example"


def test_one_customers_record_is_not_anothers(customer, other_customer, reviewer):
    approve(submit_basic(customer), reviewer)

    assert kyc_record_for(other_customer) is None
    assert kyc_level_for(other_customer) == 0
