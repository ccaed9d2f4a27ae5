"""Every KYC document URL refuses other customers, anonymous visitors and agents who are
not reviewers; reviewers get the exact bytes, and every look is on the record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import DocumentView, IdentityDocument, SecurityEvent

from .conftest import png_bytes


def _url(document: IdentityDocument) -> str:
    return reverse("security_desk:kyc-document", args=[document.id])


@pytest.fixture
def front(advanced_pending) -> IdentityDocument:
    return advanced_pending.documents.get(kind=IdentityDocument.Kind.ID_FRONT)


def test_the_document_url_lives_under_the_console(front):
    assert _url(front) == f"/console/security/kyc/documents/{front.id}/"


def test_anonymous_visitors_are_sent_to_sign_in(front, client_for):
    response = client_for(None).get(_url(front))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not DocumentView.objects.exists()


@pytest.mark.parametrize("who", ["customer", "other_customer", "agent", "supervisor"])
def test_everyone_but_reviewers_gets_403(who, front, client_for, request):
    """The owner too: a thief holding a customer's session must not harvest ID scans."""
    person = request.getfixturevalue(who)

    response = client_for(person).get(_url(front))

    assert response.status_code == 403
    assert png_bytes(seed=1) not in response.content
    assert not DocumentView.objects.exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.DOCUMENT_VIEWED).exists()


def test_a_reviewer_gets_the_exact_bytes_with_private_headers(front, reviewer, client_for):
    response = client_for(reviewer).get(_url(front))

    assert response.status_code == 200
    assert response.content == png_bytes(seed=1)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_every_view_is_recorded_on_the_owners_trail(front, customer, reviewer, client_for):
    browser = client_for(reviewer)

    browser.get(_url(front), REMOTE_ADDR="198.51.100.7")
    browser.get(_url(front), REMOTE_ADDR="198.51.100.7")

    views = DocumentView.objects.filter(document=front)
    assert views.count() == 2
    assert {view.viewer for view in views} == {reviewer}
    assert {view.ip for view in views} == {"198.51.100.7"}
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.DOCUMENT_VIEWED)
    assert events.count() == 2
    event = events.first()
    assert event.user == customer
    assert event.actor == reviewer
    assert event.detail["document_id"] == front.id
    assert event.detail["document_kind"] == "id_front"
    assert event.ip is None  # the customer reads this trail: not the reviewer's address


def test_the_submission_page_shows_the_view_log(advanced_pending, front, reviewer, client_for):
    browser = client_for(reviewer)
    browser.get(_url(front))

    page = browser.get(reverse("security_desk:kyc-detail", args=[advanced_pending.id]))

    log = page.content.decode().split('data-testid="kyc-document-views"')[1]
    assert reviewer.email in log
    assert "Identity document, front" in log


def test_a_missing_document_is_404_for_reviewers(reviewer, client_for, db):
    response = client_for(reviewer).get("/console/security/kyc/documents/999999/")

    assert response.status_code == 404
