"""/account/verification/: levels in order, each file checked from its bytes, nothing
half-saved, one pending submission per level, and a rate limit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import signals
from accounts.documents import MAX_DOCUMENT_BYTES
from accounts.models import IdentityDocument, KycSubmission, ReviewStatus, SecurityEvent

from .conftest import (
    EXE_BYTES,
    PDF_BYTES,
    advanced_files,
    basic_post,
    png_bytes,
    submit_basic,
    upload,
)

URL = "/account/verification/"


def _files_on_disk(private_media) -> list:
    folder = private_media / "identity"
    return list(folder.iterdir()) if folder.exists() else []


def _advanced_post(**changes) -> dict:
    return {"level": "2", **advanced_files(), **changes}


def test_the_page_needs_a_signed_in_customer(client_for, db):
    response = client_for(None).get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_new_customer_sees_level_1_and_the_review_time(customer, client_for):
    page = client_for(customer).get(URL).content.decode()

    assert reverse("accounts:kyc") == URL
    assert "Your identity is not verified yet." in page
    assert "Verify level 1" in page
    assert 'name="legal_name"' in page
    assert "We usually review within 1–3 business days" in page
    assert "js/kyc_upload.js" in page


def test_basic_submission_is_saved_recorded_and_announced(
    customer, client_for, django_capture_on_commit_callbacks, complete_effects
):
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    signals.security_review_requested.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(customer).post(URL, basic_post())
        complete_effects()
    finally:
        signals.security_review_requested.disconnect(listener)

    assert response.status_code == 302
    submission = KycSubmission.objects.get(user=customer)
    assert (submission.level, submission.status) == (1, ReviewStatus.PENDING)
    assert submission.legal_name == "Alice Example"
    assert submission.nationality == "SG"
    event = SecurityEvent.objects.get(user=customer, kind=SecurityEvent.Kind.KYC_SUBMITTED)
    assert event.detail == {"submission_id": submission.id, "level": 1}
    assert len(heard) == 1
    assert heard[0]["kind"] == "kyc"
    assert heard[0]["subject"] == submission
    assert heard[0]["user"] == customer
    assert heard[0]["url"].startswith("http")
    assert heard[0]["url"].endswith(f"/console/security/kyc/{submission.id}/")


def test_after_submitting_the_page_says_under_review(customer, client_for):
    browser = client_for(customer)

    page = browser.post(URL, basic_post(), follow=True).content.decode()

    assert "we received it" in page
    assert "Level 1 is under review" in page
    assert 'name="legal_name"' not in page  # no second form while it is pending


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (dt.timedelta(days=-1), "cannot be in the future"),
        (dt.timedelta(days=365 * 17), "at least 18 years old"),
    ],
)
def test_the_date_of_birth_is_checked(born, message, customer, client_for):
    birth_date = timezone.localdate() - born

    response = client_for(customer).post(URL, basic_post(birth_date=birth_date.isoformat()))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not KycSubmission.objects.exists()


def test_an_unknown_country_is_refused(customer, client_for):
    response = client_for(customer).post(URL, basic_post(nationality="XX"))

    assert response.status_code == 400
    assert not KycSubmission.objects.exists()


def test_level_2_needs_level_1_approved(customer, client_for, private_media):
    browser = client_for(customer)

    before_any = browser.post(URL, _advanced_post())
    submit_basic(customer)
    while_pending = browser.post(URL, _advanced_post())

    for response in (before_any, while_pending):
        assert response.status_code == 409
        assert "Level 1 must be approved before you can submit level 2." in (
            response.content.decode()
        )
    assert not KycSubmission.objects.filter(level=2).exists()
    assert not IdentityDocument.objects.exists()
    assert _files_on_disk(private_media) == []


def test_level_3_needs_level_2_approved(verified_basic, customer, client_for):
    response = client_for(customer).post(
        URL, {"level": "3", "address_proof": upload("bill.pdf", PDF_BYTES, "application/pdf")}
    )

    assert response.status_code == 409
    assert "Level 2 must be approved" in response.content.decode()


def test_advanced_submission_stores_three_encrypted_documents(verified_basic, customer, client_for):
    page = client_for(customer).get(URL).content.decode()
    assert "Verify level 2" in page

    response = client_for(customer).post(URL, _advanced_post())

    assert response.status_code == 302
    submission = KycSubmission.objects.get(user=customer, level=2)
    # Level 2 carries over the identity the documents must match.
    assert submission.legal_name == verified_basic.legal_name
    assert submission.birth_date == verified_basic.birth_date
    documents = {doc.kind: doc for doc in submission.documents.all()}
    assert set(documents) == {"id_front", "id_back", "selfie"}
    assert all(
        doc.user == customer and doc.content_type == "image/png" for doc in documents.values()
    )
    assert documents["id_back"].size == len(png_bytes(seed=2))


def test_an_exe_renamed_jpg_is_refused_and_nothing_is_saved(
    verified_basic, customer, client_for, private_media
):
    fake = upload("passport.jpg", EXE_BYTES, "image/jpeg")

    response = client_for(customer).post(URL, _advanced_post(id_back=fake))

    assert response.status_code == 400
    assert "passport.jpg is not a JPEG, PNG or WebP image or a PDF." in response.content.decode()
    assert not KycSubmission.objects.filter(level=2).exists()
    assert not IdentityDocument.objects.exists()
    assert _files_on_disk(private_media) == []


def test_a_pdf_selfie_is_refused(verified_basic, customer, client_for):
    pdf = upload("me.pdf", PDF_BYTES, "application/pdf")

    response = client_for(customer).post(URL, _advanced_post(selfie=pdf))

    assert response.status_code == 400
    assert "me.pdf is not a JPEG, PNG or WebP photo." in response.content.decode()
    assert not IdentityDocument.objects.exists()


def test_an_oversized_file_is_refused(verified_basic, customer, client_for, private_media):
    big = png_bytes(seed=9) + b"\x00" * MAX_DOCUMENT_BYTES

    response = client_for(customer).post(URL, _advanced_post(id_front=upload("big.png", big)))

    assert response.status_code == 400
    assert "big.png is larger than 10 MB." in response.content.decode()
    assert not IdentityDocument.objects.exists()
    assert _files_on_disk(private_media) == []


def test_a_missing_back_side_is_named(verified_basic, customer, client_for, private_media):
    post = _advanced_post()
    del post["id_back"]

    response = client_for(customer).post(URL, post)

    assert response.status_code == 400
    assert "Choose a picture of the back of your identity document." in response.content.decode()
    assert not KycSubmission.objects.filter(level=2).exists()
    assert _files_on_disk(private_media) == []


def test_a_second_submit_while_pending_gets_a_clear_message(customer, client_for):
    browser = client_for(customer)
    browser.post(URL, basic_post())

    response = browser.post(URL, basic_post(legal_name="Alice B. Example"))

    assert response.status_code == 409
    assert "You already sent this level and it is under review." in response.content.decode()
    assert KycSubmission.objects.filter(user=customer).count() == 1


def test_uploads_are_rate_limited(customer, client_for, settings):
    browser = client_for(customer)
    # 10 an hour (settings): ten refused tries use them up.
    for _ in range(10):
        assert browser.post(URL, basic_post(nationality="XX")).status_code == 400

    response = browser.post(URL, basic_post())

    assert response.status_code == 429
    assert "Too many uploads in a short time." in response.content.decode()
    assert not KycSubmission.objects.exists()


def test_the_customer_sees_what_they_sent_but_cannot_download_it(
    advanced_pending, customer, client_for
):
    page = client_for(customer).get(URL).content.decode()

    assert "Identity document, front" in page
    assert "Identity document, back" in page
    assert "Selfie" in page
    assert "/console/security/kyc/documents/" not in page
    assert page.count("bytes") >= 3  # each file's size (a few hundred bytes each)


def test_a_customer_sees_only_their_own_submissions(advanced_pending, other_customer, client_for):
    page = client_for(other_customer).get(URL).content.decode()

    assert "You have not sent anything yet." in page
    assert "Alice Example" not in page


def test_the_page_lets_previews_load_from_blob_urls_only_here(customer, client_for):
    browser = client_for(customer)

    kyc = browser.get(URL)["Content-Security-Policy"]
    elsewhere = browser.get("/account/security/")["Content-Security-Policy"]

    assert "blob:" in kyc.split("img-src")[1].split(";")[0]
    assert "blob:" not in elsewhere
    assert "script-src 'self'" in kyc
