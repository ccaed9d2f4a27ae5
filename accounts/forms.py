from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

import notifications
from accounts.models import User


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=User.Language.choices)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=[("", _("Follow my browser"))]
        + [(z, z) for z in sorted(zoneinfo.available_timezones())],
    )


CHANNEL_LABELS = {"email": _("Email"), "bell": _("In-console bell")}


class NotificationPreferencesForm(forms.Form):
    """One checkbox per channel of every kind the user gets; essential ones locked on.

    Field names are "notify-<kind>-<channel>": kind names hold no "-", so they split back.
    """

    def __init__(self, *args, choices: list[notifications.KindChoice], **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")  # the label follows its checkbox
        super().__init__(*args, **kwargs)
        self.kinds = []
        for choice in choices:
            kind = choice.kind
            names = []
            for channel in kind.ordered_channels():
                name = f"notify-{kind.name}-{channel}"
                self.fields[name] = forms.BooleanField(
                    label=CHANNEL_LABELS[channel],
                    required=False,
                    initial=channel in choice.enabled,
                    disabled=kind.essential,
                )
                if kind.essential:
                    self.fields[name].widget.attrs["aria-describedby"] = "notify-essential-note"
                names.append(name)
            self.kinds.append({"kind": kind, "fields": [self[name] for name in names]})

    def choices(self) -> dict[str, set[str]]:
        """The channels chosen per non-essential kind (call after is_valid)."""
        chosen: dict[str, set[str]] = {}
        for entry in self.kinds:
            kind = entry["kind"]
            if kind.essential:
                continue
            chosen[kind.name] = {
                channel
                for channel in kind.ordered_channels()
                if self.cleaned_data.get(f"notify-{kind.name}-{channel}")
            }
        return chosen

    @property
    def has_essential(self) -> bool:
        return any(entry["kind"].essential for entry in self.kinds)
