"""Customer input for ticket pages: parsing and shape only; the rules live in services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets import fields
from tickets.models import Ticket, TicketType

# What browsers send for <input type="datetime-local"> (seconds only when step < 60).
DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
ACCEPTED_FILES = "image/*,application/pdf,video/*"

# Extra widget attributes per field: phones show the right keyboard, and IDs are not
# "corrected" by autocapitalisation or spellcheck.
_CODE_ATTRS = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
_WIDGET_ATTRS: dict[str, dict[str, str]] = {
    "uid": {"inputmode": "numeric", "autocomplete": "off"},
    "coin": {"autocapitalize": "characters", "autocomplete": "off", "placeholder": "USDT"},
    "amount": {"inputmode": "decimal", "autocomplete": "off"},
    "txid": _CODE_ATTRS,
    "order_id": _CODE_ATTRS,
    "address": _CODE_ATTRS,
}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; which files are allowed is the service's decision."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


def _files_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Attachments"),
        help_text=_("Up to 5 screenshots, PDFs or screen recordings, 20 MB each."),
    )


def _type_field(spec: fields.FieldSpec, required: bool) -> forms.Field:
    """The form field for one of `tickets.fields.FIELD_SPECS`; values are checked by the service."""
    common = {"label": spec.label, "required": required}
    if spec.kind == "datetime":
        zone = timezone.get_current_timezone_name()
        return forms.DateTimeField(
            **common,
            input_formats=DATETIME_LOCAL_FORMATS,
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            help_text=_("In your time zone (%(zone)s).") % {"zone": zone},
        )
    if spec.kind == "choice":
        choices = [("", _("Choose a network")), *fields.NETWORKS.items()]
        return forms.ChoiceField(**common, choices=choices)
    attrs = _WIDGET_ATTRS.get(spec.name, {})
    return forms.CharField(**common, max_length=300, widget=forms.TextInput(attrs=attrs))


class TicketRequestForm(forms.Form):
    """A new request; the chosen type decides which extra fields are asked for.

    The type is read from the submitted data (bound) or from `initial` (a type change
    re-rendered without validating), so the fields shown always match the chosen type.
    """

    type = forms.ChoiceField(
        label=_("What is your request about?"),
        widget=forms.Select(
            attrs={
                # htmx swaps in the new type's fields, keeping what was typed in them.
                "hx-get": reverse_lazy("tickets:new"),
                "hx-target": "#type-fields",
                "hx-select": "#type-fields",
                "hx-swap": "outerHTML",
                "hx-include": "#type-fields",
            }
        ),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "hx-get": reverse_lazy("tickets:suggest"),
                "hx-trigger": "keyup changed delay:400ms, change",  # change: pasted with the mouse
                "hx-target": "#suggestions",
                "data-send-as": "q",  # base.js: what was typed goes as ?q= (no eval under the CSP)
            }
        ),
    )
    body = forms.CharField(
        label=_("Describe the problem"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Never share your password, seed phrase, private key or 2FA codes."),
    )
    files = _files_field()
    confirm_duplicate = forms.BooleanField(label=_("Create a new request anyway"), required=False)

    def __init__(self, *args: Any, types: list[TicketType], lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [
            ("", _("Choose a topic")),
            *((ticket_type.slug, ticket_type.name(lang)) for ticket_type in types),
        ]
        self.chosen_slug = str((self.data if self.is_bound else self.initial).get("type") or "")
        self.ticket_type = next((t for t in types if t.slug == self.chosen_slug), None)
        self.type_field_names: list[str] = []
        for spec in self.ticket_type.fields if self.ticket_type else []:
            name = spec.get("name")
            if name in fields.FIELD_SPECS:
                self.fields[name] = _type_field(
                    fields.FIELD_SPECS[name], bool(spec.get("required"))
                )
                self.type_field_names.append(name)

    @property
    def unknown_type(self) -> bool:
        """A slug was asked for that is not an active type."""
        return bool(self.chosen_slug) and self.ticket_type is None

    def type_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.type_field_names]

    def field_values(self) -> dict[str, str]:
        """The type's values as `services.ticket_create` takes them: strings, times aware ISO.

        `occurred_at` was typed in the viewer's time zone; Django's DateTimeField has
        already made it aware in the active zone, so `isoformat()` keeps the offset.
        """
        values = {}
        for name in self.type_field_names:
            value = self.cleaned_data.get(name)
            if isinstance(value, dt.datetime):
                value = value.isoformat()
            values[name] = "" if value is None else str(value)
        return values


class _OwnIds(forms.Form):
    """Several forms share the detail page: each gets its own id prefix so labels stay unique."""

    id_prefix = "id"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ReplyForm(_OwnIds):
    id_prefix = "reply"
    body = forms.CharField(
        label=_("Your reply"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    files = _files_field()


class StatusForm(_OwnIds):
    """Customers may only mark solved or reopen; the workflow decides if that is allowed now."""

    status = forms.ChoiceField(
        choices=[(Ticket.Status.SOLVED, _("Solved")), (Ticket.Status.OPEN, _("Open"))]
    )


class RateForm(_OwnIds):
    id_prefix = "rate"
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with our help?"),
        choices=[
            (5, _("5 – Very satisfied")),
            (4, _("4 – Satisfied")),
            (3, _("3 – Neutral")),
            (2, _("2 – Dissatisfied")),
            (1, _("1 – Very dissatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ComplaintForm(_OwnIds):
    id_prefix = "complaint"
    body = forms.CharField(
        label=_("What went wrong with how your request was handled?"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class RequestFilterForm(forms.Form):
    """The filters of "My requests"; invalid input just means no filter."""

    OPEN, DONE = "open", "done"

    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All requests")),
            (OPEN, _("Open requests")),
            (DONE, _("Solved or closed")),
        ],
    )
    q = forms.CharField(label=_("Search by number or subject"), required=False, max_length=200)
