"""The synonyms form of the back office."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SynonymForm(forms.Form):
    terms = forms.CharField(
        label=_("Terms that mean the same"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separated by =, commas or new lines, e.g. 冰箱贴 = 磁贴. At least two, at most ten."),
    )
