"""Input forms for the chat console; they check input only, the services do the work."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from livechat.models import Conversation
from livechat.services.chat_profiles import CAPACITY_MAX, CAPACITY_MIN


class ChatProfileForm(forms.Form):
    languages = forms.MultipleChoiceField(
        label=_("Chat languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one language."),
            "invalid_choice": _("Choose languages from the list."),
        },
    )
    skills = forms.MultipleChoiceField(
        label=_("Skills"),
        choices=Conversation.Skill.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everyone takes general chats; the others go only to agents with the skill."),
        error_messages={
            "required": _("Choose at least one skill."),
            "invalid_choice": _("Choose skills from the list."),
        },
    )
    capacity = forms.IntegerField(
        label=_("Chats at once"),
        min_value=CAPACITY_MIN,
        max_value=CAPACITY_MAX,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Here, not on the field: the class is built once, before any request's language.
        self.fields["capacity"].help_text = _("From %(low)s to %(high)s.") % {
            "low": CAPACITY_MIN,
            "high": CAPACITY_MAX,
        }
