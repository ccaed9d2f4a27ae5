"""The standard reasons a reviewer gives for rejecting a KYC submission.

The codes are stored (KycSubmission.rejection_reasons); the labels are translated when
they are shown, so a customer reads them in their own language on the page and in email.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class RejectionReason(models.TextChoices):
    BLURRED = "blurred", _("The image is blurred or unreadable")
    EXPIRED = "expired", _("The document has expired")
    NAME_MISMATCH = "name_mismatch", _("The name does not match the legal name you gave")
    EDITED = "edited", _("The image appears to have been edited")
    NOT_ACCEPTED = "not_accepted", _("This kind of document is not accepted")
    SELFIE_MISMATCH = "selfie_mismatch", _("The selfie does not match the document photo")
    GLARE = "glare", _("Glare, shadow or cut-off corners hide part of the document")
    ADDRESS_TOO_OLD = "address_too_old", _("The proof of address is older than three months")
    OTHER = "other", _("Another reason (see the note)")


def reason_labels(codes: Iterable[str]) -> list[str]:
    """The labels of stored codes in the active language; an unknown code is shown as is."""
    labels = dict(RejectionReason.choices)
    return [str(labels.get(code, code)) for code in codes]
