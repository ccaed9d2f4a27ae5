from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from helpcenter.services import MAX_FEEDBACK_COMMENT


class ArticleFeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=_("Was this article helpful?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )
    comment = forms.CharField(
        label=_("How could we improve it? (optional)"),
        required=False,
        max_length=MAX_FEEDBACK_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
