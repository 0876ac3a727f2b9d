"""Forms of the catalog portal: parse and explain input field by field; the services decide."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog import taxonomy
from catalog.listings import LISTING_FIELDS
from catalog.models import CollectionObject, IpLicence, Listing, Relation
from catalog.provenance import LICENCE_FIELDS, OBJECT_FIELDS
from core.money import minor_format
from unit_onboarding.designers import designers_of
from unit_onboarding.models import Designer, Unit

# The listing's fields as the service takes them; the attributes are fields of their own (one per attribute
# of the product type, `attr_<slug>`), gathered into `attributes` when the form is cleaned.
LISTING_FORM_FIELDS = tuple(name for name in LISTING_FIELDS if name != "attributes")


def yuan_to_fen(value: str | Decimal) -> int:
    """'128', '128.5' or '128.50' yuan as fen; more than two decimals or non-positive is refused."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise forms.ValidationError(_("Enter a price such as 128.00.")) from exc
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise forms.ValidationError(_("Enter a positive price with at most two decimals."))
    return int(amount * 100)


def licences_usable_by(unit: Unit):
    """Licences the unit may attach: those it grants, and those granted to its operating entity."""
    entity = getattr(unit, "operating_entity", None)
    codes = {c for c in (unit.credit_code, entity.credit_code if entity else "") if c}
    granted = IpLicence.objects.filter(Q(licensor=unit) | Q(licensee_credit_code__in=codes))
    return granted.filter(status=IpLicence.Status.IN_FORCE).select_related("licensor")


def attribute_field(attribute: taxonomy.Attribute) -> forms.Field:
    """A form field for one attribute; which product types use it is said in its help text."""
    types = [
        " / ".join(taxonomy.PRODUCT_TYPES[t])
        for t, slugs in taxonomy.PRODUCT_TYPE_ATTRIBUTES.items()
        if attribute.slug in slugs
    ]
    help_text = _("for: %(types)s") % {"types": ", ".join(types)}
    if attribute.required:
        help_text = _("%(help)s; needed before review") % {"help": help_text}
    if attribute.choices:
        return forms.ChoiceField(
            label=attribute.label,
            choices=[("", "—"), *((slug, f"{zh} / {en}") for slug, zh, en in attribute.choices)],
            required=False,
            help_text=help_text,
        )
    return forms.CharField(
        label=attribute.label, max_length=attribute.max_length, required=False, help_text=help_text
    )


class ListingForm(forms.ModelForm):
    """The product's fields, and one `attr_<slug>` field per attribute (those of its type are kept)."""

    category = forms.ChoiceField(label=_("category"), choices=taxonomy.category_choices)
    product_type = forms.ChoiceField(label=_("product type"), choices=taxonomy.product_type_choices)

    class Meta:
        model = Listing
        fields = LISTING_FORM_FIELDS
        widgets = {
            "description_zh": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, unit: Unit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        licences = licences_usable_by(unit)
        self.fields["licence"].queryset = licences
        self.fields["collection_object"].queryset = CollectionObject.objects.filter(
            Q(unit=unit) | Q(unit__ip_licences_granted__in=licences)
        ).distinct()
        self.fields["relation"].choices = [("", "—"), *Relation.choices]
        attributes = self.instance.attributes if self.instance.pk else {}
        for slug, attribute in taxonomy.ATTRIBUTES.items():
            self.fields[f"attr_{slug}"] = attribute_field(attribute)
            self.initial.setdefault(f"attr_{slug}", (attributes or {}).get(slug, ""))

    def product_fields(self) -> list:
        return [self[name] for name in self.fields if not name.startswith("attr_")]

    def attribute_fields(self) -> list:
        return [self[name] for name in self.fields if name.startswith("attr_")]

    def clean(self):
        data = super().clean()
        raw = {slug: data.get(f"attr_{slug}", "") for slug in taxonomy.ATTRIBUTES}
        self.attribute_values, errors = taxonomy.attributes_clean(data.get("product_type", ""), raw)
        for slug, expected in errors.items():
            self.add_error(f"attr_{slug}", _("Enter %(expected)s.") % {"expected": expected})
        return data

    def service_data(self) -> dict:
        return {
            **{name: self.cleaned_data[name] for name in LISTING_FORM_FIELDS},
            "attributes": self.attribute_values,
        }


class VariantForm(forms.Form):
    sku = forms.SlugField(label=_("SKU"), max_length=64)
    name_zh = forms.CharField(label=_("variant name (Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("variant name (English)"), max_length=100, required=False)
    price = forms.CharField(label=_("price (CNY)"), max_length=12)
    stock = forms.IntegerField(label=_("stock"), min_value=0, max_value=1_000_000)
    weight_g = forms.IntegerField(label=_("weight (g)"), min_value=0, max_value=1_000_000, initial=0)

    def clean_price(self) -> int:
        return yuan_to_fen(self.cleaned_data["price"])


class BaseVariantFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        skus = [
            f.cleaned_data["sku"] for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if len(skus) != len(set(skus)):
            raise forms.ValidationError(_("Each variant needs its own SKU."))

    def service_variants(self) -> list[dict]:
        return [
            {
                **{k: v for k, v in f.cleaned_data.items() if k not in {"price", "DELETE"}},
                "price_fen": f.cleaned_data["price"],
            }
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


VariantFormSet = forms.formset_factory(
    VariantForm, formset=BaseVariantFormSet, extra=1, can_delete=True, max_num=50
)


def variant_initial(listing: Listing) -> list[dict]:
    return [
        {
            "sku": v.sku,
            "name_zh": v.name_zh,
            "name_en": v.name_en,
            "price": minor_format(v.price_fen, "CNY"),
            "stock": v.stock,
            "weight_g": v.weight_g,
        }
        for v in listing.variants.all()
    ]


class ImageForm(forms.Form):
    image = forms.FileField(label=_("image (JPEG, PNG or WebP, up to 40 MB)"))
    alt = forms.CharField(label=_("alternative text"), max_length=250, required=False)


class ReviewForm(forms.Form):
    """A curator's decision on what was submitted for review (a listing, a campaign): approve, or reject."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(
        label=_("reason (for a rejection)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CsvForm(forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8)"))
    commit = forms.BooleanField(label=_("import now (otherwise a dry run)"), required=False)


class ListingCsvForm(CsvForm):
    submit = forms.BooleanField(label=_("submit the imported products for review"), required=False)
    on_sale = forms.BooleanField(
        label=_("put them on sale once approved (trusted units: at once)"), required=False
    )


class CollectionObjectForm(forms.ModelForm):
    field_order = ["accession_number"]  # first on the page, then the service's order

    class Meta:
        model = CollectionObject
        fields = OBJECT_FIELDS


class IpLicenceForm(forms.ModelForm):
    class Meta:
        model = IpLicence
        fields = LICENCE_FIELDS
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            self.add_error("valid_until", _("The licence must end after it starts."))
        if data.get("royalty_bps") is not None and data["royalty_bps"] > 10_000:
            self.add_error("royalty_bps", _("At most 10,000 basis points (100%)."))
        return data


class DesignerRoyaltyForm(forms.Form):
    """New royalty terms for one product, from a chosen time on (0 bps ends the royalty)."""

    designer = forms.ModelChoiceField(
        label=_("designer"), queryset=Designer.objects.none(), to_field_name="slug", required=False
    )
    bps = forms.IntegerField(
        label=_("royalty (basis points)"),
        min_value=0,
        max_value=10_000,
        help_text=_("100 bps = 1% of each sale's net amount; 0 ends the royalty."),
    )
    effective_from = forms.DateTimeField(
        label=_("applies from"), help_text=_("Not in the past: sales already made keep their terms.")
    )

    def __init__(self, *args, unit: Unit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["designer"].queryset = designers_of(unit)
        self.fields["designer"].label_from_instance = lambda d: f"{d} ({d.slug})"
