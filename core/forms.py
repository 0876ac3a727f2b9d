"""Form fields every app's forms share."""

from __future__ import annotations

from django import forms


class BeijingDateTimeField(forms.DateTimeField):
    """A moment typed in the browser's date-time picker: read in the active time zone (Asia/Shanghai, the
    business zone the views activate) and shown back in the picker's own format."""

    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        )
        super().__init__(**kwargs)
