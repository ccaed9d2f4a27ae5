"""Identity: KYC submissions, their encrypted documents, and who looked at them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class KycLevel(models.IntegerChoices):
    BASIC = 1, _("Basic: legal name, birthday, nationality")
    ADVANCED = 2, _("Advanced: identity document and selfie")
    ADDRESS = 3, _("Address proof")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class KycSubmission(models.Model):
    """What a customer sent for one KYC level; a rejected one is followed by a new submission."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kyc_submissions"
    )
    level = models.PositiveSmallIntegerField(choices=KycLevel.choices)
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    birth_date = models.DateField(_("date of birth"))
    nationality = models.CharField(_("nationality"), max_length=2)  # ISO 3166-1 alpha-2
    created_at = models.DateTimeField(default=timezone.now)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Codes from accounts.kyc.reasons (blurred, expired, name_mismatch, …), shown translated.
    rejection_reasons = models.JSONField(default=list, blank=True)
    review_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "level"],
                condition=models.Q(status="pending"),
                name="kyc_one_pending_per_level",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="kyc_review_queue")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"KYC level {self.level} of {self.user_id} ({self.status})"


class IdentityDocument(models.Model):
    """An uploaded identity image or PDF, encrypted on disk; never under a public URL."""

    class Kind(models.TextChoices):
        ID_FRONT = "id_front", _("Identity document, front")
        ID_BACK = "id_back", _("Identity document, back")
        SELFIE = "selfie", _("Selfie")
        ADDRESS_PROOF = "address_proof", _("Proof of address")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity_documents"
    )
    submission = models.ForeignKey(
        KycSubmission, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()  # of the plain file
    sha256 = models.CharField(max_length=64)  # of the plain file
    storage_name = models.CharField(max_length=100, unique=True)  # random, under the private dir
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} of {self.user_id}"


class DocumentView(models.Model):
    """Every time a reviewer opened a document."""

    document = models.ForeignKey(IdentityDocument, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    viewed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"document {self.document_id} viewed by {self.viewer_id}"
