from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog import taxonomy
from catalog.forms import yuan_to_fen
from catalog.models import CollectionObject
from core.forms import BeijingDateTimeField
from resources.models import DesignerProfile, ObjectCategory


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


class DesignerProfileForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = DesignerProfile
        fields = ("display_name_zh", "display_name_en", "kind", "bio", "website")
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}


class PortfolioImageForm(forms.Form):
    image = forms.FileField(label=_("image (JPEG, PNG or WebP, up to 40 MB)"))
    caption = forms.CharField(label=_("caption"), max_length=200, required=False)


def _bps(percent: Decimal) -> int:
    """Percent with at most two decimals as basis points (exact: Decimal, never float)."""
    return int(percent * 100)


def _royalty_percent(label) -> forms.DecimalField:
    """A royalty in percent: 0 to 100 in steps of 0.01, one message for any value outside."""
    outside = _("The royalty must be between 0%% and 100%%, in steps of 0.01%%.")
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        max_digits=5,
        error_messages=dict.fromkeys(("min_value", "max_value", "max_decimal_places"), outside),
    )


class _Term(forms.Form):
    """Royalty in percent and a term, checked together so the message says which field is wrong."""

    royalty_percent = _royalty_percent(_("royalty (%)"))
    start_field, end_field = "term_from", "term_until"

    def clean(self):
        data = super().clean()
        start, end = data.get(self.start_field), data.get(self.end_field)
        if start and end and end < start:
            self.add_error(self.end_field, _("The end of the term must not be before its start."))
        if data.get("royalty_percent") is not None:
            data["royalty_bps"] = _bps(data["royalty_percent"])
        return data


class LicenceRequestForm(_Term):
    product = forms.CharField(label=_("intended product"), max_length=200)
    channels = forms.CharField(
        label=_("sales channels"), max_length=200, help_text=_("e.g. this marketplace, own shop, exhibitions")
    )
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=10_000_000)
    term_from = forms.DateField(
        label=_("from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    term_until = forms.DateField(
        label=_("until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = ("product", "channels", "quantity", "royalty_percent", "term_from", "term_until", "note")


class LicenceApproveForm(_Term):
    valid_from = forms.DateField(
        label=_("valid from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_until = forms.DateField(
        label=_("valid until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    scope = forms.CharField(label=_("scope"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    start_field, end_field = "valid_from", "valid_until"
    field_order = ("royalty_percent", "valid_from", "valid_until", "scope")


class LicenceDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for declining: the designer reads it.")},
    )


class DesignCallForm(forms.Form):
    """A call's terms; the deadline is typed in Beijing time (the view activates it), the award in yuan."""

    title_zh = forms.CharField(label=_("title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("title (English)"), max_length=200, required=False)
    objects = forms.ModelMultipleChoiceField(
        label=_("collection objects"),
        queryset=CollectionObject.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one of the unit's objects shown in the public library.")
        },
    )
    category = forms.ChoiceField(label=_("product category"), choices=taxonomy.category_choices)
    award_yuan = forms.CharField(label=_("award (yuan)"), max_length=14)
    deadline = BeijingDateTimeField(label=_("deadline (Beijing time)"))
    rules = forms.CharField(label=_("rules"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6}))
    royalty_percent = _royalty_percent(_("announced royalty (%)"))

    def __init__(self, *args, objects_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objects"].queryset = objects_queryset

    def clean_award_yuan(self):
        return yuan_to_fen(self.cleaned_data["award_yuan"])

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {
            "title_zh": d["title_zh"],
            "title_en": d["title_en"],
            "category": d["category"],
            "award_fen": d["award_yuan"],
            "deadline": d["deadline"],
            "rules": d["rules"],
            "royalty_bps": _bps(d["royalty_percent"]),
        }


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("title of the design"), max_length=200)
    description = forms.CharField(
        label=_("description"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6})
    )
    image_1 = forms.FileField(label=_("image (JPEG, PNG or WebP, up to 40 MB)"))
    image_2 = forms.FileField(label=_("second image (optional)"), required=False)
    image_3 = forms.FileField(label=_("third image (optional)"), required=False)

    def uploads(self) -> list:
        return [self.cleaned_data.get(f"image_{n}") for n in (1, 2, 3) if self.cleaned_data.get(f"image_{n}")]


class SelectionRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for rejecting the selection.")},
    )
