"""The KYC part of /account/security/."""

from __future__ import annotations

from .conftest import submit_basic


def test_the_security_page_shows_the_level_and_a_link(customer, client_for):
    page = client_for(customer).get("/account/security/").content.decode()

    assert "Identity verification" in page
    assert "Not verified yet." in page
    assert 'href="/account/verification/"' in page


def test_it_shows_a_pending_review(customer, client_for):
    submit_basic(customer)

    page = client_for(customer).get("/account/security/").content.decode()

    assert "Level 1 is under review" in page


def test_it_shows_the_approved_level(verified_basic, customer, client_for):
    page = client_for(customer).get("/account/security/").content.decode()

    assert "Level 1: Basic: legal name, birthday, nationality" in page
    assert "Continue verification" in page
