"""Buyer forms: add to cart, the Chinese-format delivery address, sign-in and registration."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from storefront import cn_address


class AddToCartForm(forms.Form):
    variant = forms.CharField(max_length=200)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=99, initial=1)


class LineUpdateForm(forms.Form):
    line = forms.CharField(max_length=200)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=99)


class ContactForm(forms.Form):
    """Order of fields as a Chinese address is written: province, city, district, street."""

    email = forms.EmailField(label=_("E-mail"))
    name = forms.CharField(label=_("Recipient"), max_length=100)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, initial="+86 ")
    province = forms.CharField(label=_("Province"), max_length=50)
    city = forms.CharField(label=_("City"), max_length=50)
    district = forms.CharField(label=_("District"), max_length=50)
    street = forms.CharField(label=_("Street address"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=6, min_length=6)

    # Saleor's AddressInput field -> ours, to put Saleor's inline errors next to the right input.
    SALEOR_FIELDS = {
        "firstName": "name",
        "phone": "phone",
        "countryArea": "province",
        "city": "city",
        "cityArea": "district",
        "streetAddress1": "street",
        "postalCode": "postal_code",
        "email": "email",
    }

    def saleor_address(self) -> dict[str, str]:
        data = self.cleaned_data
        province, city, district = cn_address.to_saleor(data["province"], data["city"], data["district"])
        return {
            "firstName": data["name"],
            "country": "CN",
            "countryArea": province,
            "city": city,
            "cityArea": district,
            "streetAddress1": data["street"],
            "postalCode": data["postal_code"],
            "phone": data["phone"].replace(" ", ""),
        }

    @classmethod
    def initial_from(cls, checkout: dict) -> dict[str, str]:
        address = checkout.get("shippingAddress") or {}
        initial = {"email": checkout.get("email") or ""}
        for saleor_field, ours in cls.SALEOR_FIELDS.items():
            if address.get(saleor_field):
                initial[ours] = address[saleor_field]
        if address:
            written = cn_address.from_saleor(
                address.get("countryArea") or "", address.get("city") or "", address.get("cityArea") or ""
            )
            fields = ("province", "city", "district")
            initial.update((k, v) for k, v in zip(fields, written, strict=True) if v)
        return initial

    def field_for(self, saleor_field: str) -> str | None:
        """Our input that holds a Saleor address field (in a municipality Saleor's city is our district)."""
        moved = self.saleor_address()["cityArea"] == "" and self.cleaned_data["district"]
        if saleor_field == "city" and moved:
            return "district"
        return self.SALEOR_FIELDS.get(saleor_field)


class DeliveryForm(forms.Form):
    method = forms.CharField(max_length=200)


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class RegisterForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)
