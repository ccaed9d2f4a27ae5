"""The reviewers' queue and decision: oldest first, documents beside the data, standard
reasons, one decision per submission, and the customer told in their own language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from accounts import signals
from accounts.kyc.errors import KycOwnSubmission
from accounts.kyc.reasons import RejectionReason
from accounts.kyc.services import kyc_review, kyc_submit
from accounts.models import KycSubmission, ReviewStatus, SecurityEvent

from .conftest import PDF_BYTES, approve, submit_advanced, submit_basic, upload

QUEUE = "/console/security/kyc/"


def _detail(submission: KycSubmission) -> str:
    return reverse("security_desk:kyc-detail", args=[submission.id])


def _decide(submission: KycSubmission) -> str:
    return reverse("security_desk:kyc-decide", args=[submission.id])


@pytest.mark.parametrize("who", ["customer", "agent", "supervisor"])
def test_the_queue_is_for_reviewers_only(who, client_for, request):
    response = client_for(request.getfixturevalue(who)).get(QUEUE)

    assert response.status_code == 403


def test_the_queue_is_oldest_first_with_a_count(
    customer, other_customer, reviewer, client_for, user_factory
):
    newer = submit_basic(customer)
    older = submit_basic(other_customer)
    KycSubmission.objects.filter(id=older.id).update(
        created_at=timezone.now() - timezone.timedelta(days=2)
    )
    decided = submit_basic(user_factory())
    approve(decided, reviewer)

    page = client_for(reviewer).get(QUEUE).content.decode()

    assert 'data-testid="kyc-queue-count">(2)' in page
    assert page.index(_detail(older)) < page.index(_detail(newer))
    assert _detail(decided) not in page


def test_the_detail_puts_documents_beside_the_data(advanced_pending, reviewer, client_for):
    page = client_for(reviewer).get(_detail(advanced_pending)).content.decode()

    assert "Alice Example" in page
    assert "Singapore" in page
    for document in advanced_pending.documents.all():
        url = reverse("security_desk:kyc-document", args=[document.id])
        assert f'<img src="{url}"' in page
    # The approved level 1 is listed among the earlier submissions.
    assert "Earlier submissions of this customer" in page
    assert _detail(KycSubmission.objects.get(level=1)) in page


def test_a_pdf_is_a_link_not_an_image(advanced_pending, customer, reviewer, client_for):
    approve(advanced_pending, reviewer)
    proof = kyc_submit(
        user=customer,
        level=3,
        documents={"address_proof": upload("bill.pdf", PDF_BYTES, "application/pdf")},
    )
    document = proof.documents.get()

    page = client_for(reviewer).get(_detail(proof)).content.decode()

    url = reverse("security_desk:kyc-document", args=[document.id])
    assert f'<a href="{url}" class="kyc-pdf">' in page
    assert f'<img src="{url}"' not in page
    response = client_for(reviewer).get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content == PDF_BYTES


def test_reject_with_reasons_and_a_note(
    advanced_pending,
    customer,
    reviewer,
    client_for,
    django_capture_on_commit_callbacks,
    complete_effects,
):
    complete_effects()  # the fixtures' own (the basic level's approval)
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    signals.security_review_decided.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(reviewer).post(
                _decide(advanced_pending),
                {
                    "decision": "reject",
                    "reasons": ["glare", "blurred"],
                    "note": "The back is cut off at the bottom.",
                },
            )
        complete_effects()
    finally:
        signals.security_review_decided.disconnect(listener)

    assert response.status_code == 302
    advanced_pending.refresh_from_db()
    assert advanced_pending.status == ReviewStatus.REJECTED
    assert advanced_pending.reviewer == reviewer
    assert advanced_pending.rejection_reasons == ["blurred", "glare"]  # the list's order
    assert advanced_pending.review_note == "The back is cut off at the bottom."
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.KYC_REJECTED)
    assert (event.user, event.actor) == (customer, reviewer)
    assert event.detail["reasons"] == ["blurred", "glare"]
    assert len(heard) == 1
    assert heard[0]["kind"] == "kyc"
    assert heard[0]["outcome"] == "rejected"
    assert heard[0]["subject"] == advanced_pending
    assert "cut off" in heard[0]["reason"]


def test_approve_raises_the_level_and_is_recorded(advanced_pending, customer, reviewer, client_for):
    response = client_for(reviewer).post(_decide(advanced_pending), {"decision": "approve"})

    assert response.status_code == 302
    page = client_for(customer).get("/account/verification/").content.decode()
    assert "Your verification level: 2" in page
    assert "Verify level 3" in page
    event = SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.KYC_APPROVED, user=customer, detail__level=2
    ).get()
    assert event.actor == reviewer


def test_a_rejection_needs_a_reason(advanced_pending, reviewer, client_for):
    response = client_for(reviewer).post(_decide(advanced_pending), {"decision": "reject"})

    assert response.status_code == 400
    assert "Choose at least one reason for the rejection." in response.content.decode()
    advanced_pending.refresh_from_db()
    assert advanced_pending.status == ReviewStatus.PENDING


def test_other_needs_a_note(advanced_pending, reviewer, client_for):
    response = client_for(reviewer).post(
        _decide(advanced_pending), {"decision": "reject", "reasons": ["other"]}
    )

    assert response.status_code == 400
    advanced_pending.refresh_from_db()
    assert advanced_pending.status == ReviewStatus.PENDING


def test_a_second_decision_gets_a_clear_message(
    advanced_pending, reviewer, second_reviewer, client_for
):
    client_for(reviewer).post(_decide(advanced_pending), {"decision": "approve"})

    response = client_for(second_reviewer).post(
        _decide(advanced_pending), {"decision": "reject", "reasons": ["blurred"]}
    )

    assert response.status_code == 409
    assert "This submission was already approved by" in response.content.decode()
    advanced_pending.refresh_from_db()
    assert advanced_pending.status == ReviewStatus.APPROVED
    assert advanced_pending.reviewer == reviewer
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.KYC_REJECTED).count() == 0


def test_reviewers_cannot_decide_on_their_own_identity(reviewer, second_reviewer):
    own = submit_basic(reviewer)

    with pytest.raises(KycOwnSubmission):
        kyc_review(reviewer=reviewer, submission_id=own.id, approve=True)
    approve(own, second_reviewer)  # another reviewer may


def test_the_customer_is_emailed_the_outcome_with_reasons(
    advanced_pending, customer, reviewer, deliver_outbox
):
    deliver_outbox()  # level 1's approval
    mail.outbox.clear()
    kyc_review(
        reviewer=reviewer,
        submission_id=advanced_pending.id,
        approve=False,
        reasons=["expired"],
        note="Your passport expired in 2020.",
    )

    deliver_outbox()

    (message,) = [m for m in mail.outbox if customer.email in m.to]
    assert "needs another try" in message.subject
    assert "The document has expired" in message.body
    assert "Your passport expired in 2020." in message.body
    assert "/account/verification/" in message.body


def _in(language: str, text) -> str:
    """`text` as the catalogue has it in `language` (English until the lead translates it)."""
    with translation.override(language):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def test_the_email_is_in_the_customers_language(
    advanced_pending, customer, reviewer, deliver_outbox
):
    customer.language = "zh-hans"
    customer.anti_phishing_code = "blue-otter"
    customer.save(update_fields=["language", "anti_phishing_code"])
    deliver_outbox()  # level 1's approval
    mail.outbox.clear()
    kyc_review(
        reviewer=reviewer, submission_id=advanced_pending.id, approve=False, reasons=["expired"]
    )

    deliver_outbox()

    (message,) = [m for m in mail.outbox if customer.email in m.to]
    assert "防钓鱼码：" in message.body  # the layout, in Chinese
    assert "blue-otter" in message.body
    assert _in("zh-hans", RejectionReason.EXPIRED.label) in message.body
    assert _in("zh-hans", "Reasons:") in message.body


def test_rejection_reasons_are_shown_to_the_customer_in_both_languages(
    advanced_pending, customer, reviewer, client_for
):
    kyc_review(
        reviewer=reviewer,
        submission_id=advanced_pending.id,
        approve=False,
        reasons=["selfie_mismatch", "edited"],
        note="Please take the selfie in daylight.",
    )
    browser = client_for(customer)

    english = browser.get("/account/verification/").content.decode()
    browser.post("/account/language", {"language": "zh-hans", "next": "/"})
    chinese = browser.get("/account/verification/").content.decode()

    assert "The selfie does not match the document photo" in english
    assert "The image appears to have been edited" in english
    assert "Please take the selfie in daylight." in english
    assert "Send level 2 again" in english
    assert "退出登录" in chinese  # the page is in Chinese
    for reason in (RejectionReason.SELFIE_MISMATCH, RejectionReason.EDITED):
        assert _in("zh-hans", reason.label) in chinese
    assert "Please take the selfie in daylight." in chinese  # the note is as written


def test_resubmission_after_rejection(advanced_pending, customer, reviewer, client_for):
    kyc_review(
        reviewer=reviewer, submission_id=advanced_pending.id, approve=False, reasons=["blurred"]
    )

    again = submit_advanced(customer, seed=10)

    assert again.status == ReviewStatus.PENDING
    assert again.id != advanced_pending.id
    page = client_for(customer).get("/account/verification/").content.decode()
    assert "Level 2 is under review" in page
    assert page.count('data-testid="kyc-submission"') == 3  # level 1, rejected 2, new 2
