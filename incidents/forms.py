from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident


class IncidentForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_zh_hans = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    status_en = forms.CharField(
        label=_("What customers are told (English)"), max_length=2000, widget=forms.Textarea
    )
    status_zh_hans = forms.CharField(
        label=_("What customers are told (Chinese)"), max_length=2000, widget=forms.Textarea
    )
    coins = forms.CharField(
        label=_("Coins"), required=False, max_length=400, help_text=_("Comma-separated: USDT, ETH")
    )
    networks = forms.CharField(
        label=_("Networks"),
        required=False,
        max_length=400,
        help_text=_("Comma-separated: TRC20, ERC20"),
    )
    features = forms.MultipleChoiceField(
        label=_("Features"),
        required=False,
        choices=Incident.Feature.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    keywords = forms.CharField(
        label=_("Words customers use"),
        required=False,
        max_length=400,
        help_text=_("Comma-separated, in either language: 波场, tron halt"),
    )


class UpdateForm(forms.Form):
    body_en = forms.CharField(label=_("Update (English)"), max_length=4000, widget=forms.Textarea)
    body_zh_hans = forms.CharField(
        label=_("Update (Chinese)"), max_length=4000, widget=forms.Textarea
    )
    resolve = forms.BooleanField(
        label=_("Resolved: solve every linked request and take the banner down"), required=False
    )
