"""Input forms for the verification page and the review decision (no saving here)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.documents import (
    ALLOWED_TYPES,
    MAX_DOCUMENT_BYTES,
    PHOTO_TYPES,
    DocumentRejected,
    document_check,
)
from accounts.kyc.reasons import RejectionReason
from accounts.kyc.validators import (
    validate_birth_date,
    validate_legal_name,
    validate_nationality,
)
from accounts.models import IdentityDocument, KycLevel

Kind = IdentityDocument.Kind


def _country_choices() -> list[tuple[str, str]]:
    """Evaluated at each render, so the names follow the page's language."""
    return [("", _("Choose a country")), *((code, name) for code, name in countries)]


class BasicForm(forms.Form):
    level = KycLevel.BASIC
    legal_name = forms.CharField(
        label=_("Legal name, as on your identity document"),
        max_length=200,
        validators=[validate_legal_name],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        validators=[validate_birth_date],
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=_country_choices, validators=[validate_nationality]
    )

    def documents(self) -> dict:
        return {}


class _DocumentField(forms.FileField):
    """A file checked from its bytes; the attributes let kyc_upload.js check it sooner."""

    def __init__(self, *, kind: Kind, help_text: str, missing: str, **kwargs):
        photo_only = kind == Kind.SELFIE
        types = PHOTO_TYPES if photo_only else ALLOWED_TYPES
        super().__init__(
            label=kind.label,
            help_text=help_text,
            error_messages={"required": missing},
            widget=forms.ClearableFileInput(
                attrs={
                    "accept": ",".join(sorted(types)),
                    "data-kyc-file": "",
                    "data-max-bytes": MAX_DOCUMENT_BYTES,
                    "data-photo-only": "1" if photo_only else "",
                }
            ),
            **kwargs,
        )
        self.kind = kind
        self.photo_only = photo_only

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            try:
                document_check(upload, photo_only=self.photo_only)
            except DocumentRejected as exc:
                raise ValidationError(str(exc), code="document") from exc
        return upload


_DOCUMENT_HELP = _("JPEG, PNG or WebP photo, or a PDF scan; at most 10 MB.")
_PHOTO_HELP = _("A JPEG, PNG or WebP photo of your face, holding the document; at most 10 MB.")


class _DocumentsForm(forms.Form):
    def documents(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name, field in self.fields.items()
            if isinstance(field, _DocumentField)
        }


class AdvancedForm(_DocumentsForm):
    level = KycLevel.ADVANCED
    id_front = _DocumentField(
        kind=Kind.ID_FRONT,
        help_text=_DOCUMENT_HELP,
        missing=_("Choose a picture of the front of your identity document."),
    )
    id_back = _DocumentField(
        kind=Kind.ID_BACK,
        help_text=_DOCUMENT_HELP,
        missing=_("Choose a picture of the back of your identity document."),
    )
    selfie = _DocumentField(kind=Kind.SELFIE, help_text=_PHOTO_HELP, missing=_("Choose a selfie."))


class AddressForm(_DocumentsForm):
    level = KycLevel.ADDRESS
    address_proof = _DocumentField(
        kind=Kind.ADDRESS_PROOF,
        missing=_("Choose your proof of address."),
        help_text=_(
            "A utility bill or bank statement from the last three months with your name "
            "and address; photo or PDF, at most 10 MB."
        ),
    )


FORMS: dict[int, type[forms.Form]] = {
    KycLevel.BASIC: BasicForm,
    KycLevel.ADVANCED: AdvancedForm,
    KycLevel.ADDRESS: AddressForm,
}


class DecisionForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        label=_("Reasons for a rejection"),
        choices=RejectionReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note to the customer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
