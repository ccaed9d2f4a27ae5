"""Input forms of the reset pages (no save logic: services.py writes)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.documents import DocumentRejected, document_check
from accounts.models import MfaResetRequest

DESCRIPTION_MAX = MfaResetRequest._meta.get_field("description").max_length
LEGAL_NAME_MAX = MfaResetRequest._meta.get_field("legal_name").max_length
REASON_MAX = MfaResetRequest._meta.get_field("decision_reason").max_length


class ResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("Email address of your account"), max_length=254)
    password = forms.CharField(
        label=_("Password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Your current password: it shows the request comes from you."),
    )
    legal_name = forms.CharField(
        label=_("Legal name (as on your identity document)"), max_length=LEGAL_NAME_MAX
    )
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("What happened to your device?"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": DESCRIPTION_MAX}),
    )
    selfie = forms.FileField(
        label=_("A selfie taken now"),
        help_text=_(
            "A clear photo of your face (JPEG, PNG or WebP); we compare it with your verified identity."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def clean_birth_date(self) -> dt.date:
        value = self.cleaned_data["birth_date"]
        if value >= timezone.localdate() or value.year < 1900:
            raise ValidationError(_("Enter your real date of birth."), code="invalid_birth_date")
        return value

    def clean_selfie(self):
        upload = self.cleaned_data["selfie"]
        try:
            document_check(upload, photo_only=True)
        except DocumentRejected as exc:
            raise ValidationError(str(exc), code="bad_selfie") from None
        return upload


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the reset")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (the customer sees it when rejected)"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX}),
    )
