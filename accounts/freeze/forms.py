"""Input forms for the freeze pages; they check input only, the services do the work."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.documents import DocumentRejected, document_check
from accounts.models import AppealReview

REASON_MAX = 2000
DESCRIPTION_MAX = 5000


class SelfFreezeForm(forms.Form):
    reason = forms.CharField(
        label=_("What happened? (optional)"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AgentFreezeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the customer told you; it goes into their audit trail."),
    )
    verified_by_phone = forms.BooleanField(
        label=_("I verified the customer by phone"),
        error_messages={"required": _("Verify the customer by phone before freezing.")},
    )


class AppealLinkRequestForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the frozen account"), max_length=254)


class AppealForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("When you noticed it, what you did, and anything we should know."),
    )
    selfie = forms.FileField(
        label=_("A fresh selfie"),
        help_text=_("A clear photo of your face taken now (JPEG, PNG or WebP, up to 10 MB)."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def clean_birth_date(self) -> dt.date:
        value = self.cleaned_data["birth_date"]
        if value >= timezone.localdate() or value.year < 1900:
            raise forms.ValidationError(_("Enter your real date of birth."))
        return value

    def clean_selfie(self):
        upload = self.cleaned_data["selfie"]
        try:
            document_check(upload, photo_only=True)
        except DocumentRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=AppealReview.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The customer sees the reason of a rejection."),
    )
