from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import CollectionObject
from resources.models import ObjectCategory


class PublicationForm(forms.ModelForm):
    """The object's public description (stored on the object) and its library terms."""

    category = forms.ChoiceField(label=_("object category"), choices=ObjectCategory.choices)
    licensable = forms.BooleanField(
        label=_("licences may be requested"),
        required=False,
        help_text=_("For objects not in the public domain: whether the unit grants licences for it."),
    )

    class Meta:
        model = CollectionObject
        fields = ("title_en", "era", "material", "dimensions", "story_zh", "story_en", "public_domain")
        widgets = {
            "story_zh": forms.Textarea(attrs={"rows": 5}),
            "story_en": forms.Textarea(attrs={"rows": 5}),
        }


class ObjectImageForm(forms.Form):
    image = forms.FileField(label=_("image (JPEG, PNG or WebP, up to 40 MB)"))


class LibrarySearchForm(forms.Form):
    """The index's query string: free text, one value per facet, a page number."""

    q = forms.CharField(required=False, max_length=100, strip=True)
    unit = forms.CharField(required=False, max_length=20)
    unit_type = forms.CharField(required=False, max_length=32)
    era = forms.CharField(required=False, max_length=100)
    category = forms.CharField(required=False, max_length=16)
    rights = forms.CharField(required=False, max_length=16)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)
