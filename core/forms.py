"""How every form renders: errors a screen reader announces and a keyboard user lands on.

settings.FORM_RENDERER names FormRenderer, so allauth's forms get this as well as ours.
The error list template (templates/django/forms/errors/list/ul.html) puts errors that
belong to no field (a failed sign-in) in a role="alert" summary with id FORM_ERRORS_ID,
which static/js/base.js focuses after the failed submit.
"""

from __future__ import annotations

from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting

# One summary per page is the case that matters: only the form just submitted has errors.
FORM_ERRORS_ID = "form-errors"


class AccessibleBoundField(BoundField):
    """A field of a form refused as a whole is marked invalid and points at the summary.

    Django marks a field with its own errors (aria-invalid, aria-describedby to
    "<id>_error"); a form-wide error ("the email address and/or password are not
    correct") concerns every field the person typed, but Django marks none of them.
    """

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden or self.errors or not self.form.non_field_errors():
            return attrs
        attrs["aria-invalid"] = "true"
        described_by = attrs.get("aria-describedby", "")
        attrs["aria-describedby"] = f"{FORM_ERRORS_ID} {described_by}".strip()
        return attrs


class FormRenderer(TemplatesSetting):
    """Django's templates, overridable from templates/django/forms/ like any template."""

    bound_field_class = AccessibleBoundField
