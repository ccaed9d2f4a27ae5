"""Input forms only: the services decide what is allowed and what is stored."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import ForumCategory, PostReport
from community.services import BODY_MAX, TITLE_MAX

REASON_MAX = 300


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Your question"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown works. Never post a password, seed phrase or private key."),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown works. Never post a password, seed phrase or private key."),
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this post?"),
        choices=PostReport.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything moderators should know (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ModerateForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("approve", _("Approve")),
            ("hide", _("Hide")),
            ("unhide", _("Show again")),
            ("dismiss", _("Dismiss reports")),
        ]
    )
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False)


class LockForm(forms.Form):
    locked = forms.TypedChoiceField(
        choices=[("1", _("Lock")), ("0", _("Unlock"))], coerce=lambda value: value == "1"
    )
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False)


class MoveForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("New category"), queryset=ForumCategory.objects.all(), to_field_name="slug"
    )
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False)

    def __init__(self, *args, lang: str = "en", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].label_from_instance = lambda category: category.name(lang)


class BanForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the person)"), max_length=REASON_MAX, required=True
    )
    days = forms.IntegerField(
        label=_("Days (leave empty for no end)"), min_value=1, max_value=3650, required=False
    )
