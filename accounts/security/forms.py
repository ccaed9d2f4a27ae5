"""Input forms of the security section; the services check the same rules again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.security.rules import CODE_MAX, PHONE_INPUT_MAX, code_clean, phone_clean
from accounts.security.selectors import SEARCH_MAX


class AntiPhishingCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Anti-phishing code"),
        # No max_length or required here: clean_code names the real rule for any input.
        required=False,
        strip=True,
        help_text=_(
            "4 to 20 characters: letters A–Z (upper or lower case), digits and hyphens. "
            "Pick something only you would recognise; never your password."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": CODE_MAX}),
    )

    def clean_code(self) -> str:
        return code_clean(self.cleaned_data.get("code", ""))


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=PHONE_INPUT_MAX,
        help_text=_("With the country code, for example +86 138 0013 8000."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self) -> str:
        return phone_clean(self.cleaned_data["phone"])


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Customer UID or email address"),
        max_length=SEARCH_MAX,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
