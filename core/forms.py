"""Form fields and helpers every app's forms share."""

from __future__ import annotations

from django import forms

from core.errors import FieldError


def add_service_error(form: forms.Form, error: FieldError, default_field: str | None = None) -> None:
    """Show a service's refusal beside the field it names if the form has one, else at `default_field`."""
    form.add_error(error.field if error.field in form.fields else default_field, error.message)


class BeijingDateTimeField(forms.DateTimeField):
    """A moment typed in the browser's date-time picker: read in the active time zone (Asia/Shanghai, the
    business zone the views activate) and shown back in the picker's own format."""

    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        )
        super().__init__(**kwargs)
