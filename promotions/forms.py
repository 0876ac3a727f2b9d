"""The promotion form. Times are typed in Asia/Shanghai (the view activates it) and stored in UTC."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.forms import yuan_to_fen
from catalog.models import Listing
from core.forms import BeijingDateTimeField
from promotions.error_codes import MESSAGES
from promotions.error_codes import PromotionErrorCode as Code
from promotions.models import PlatformCampaign, UnitPromotion


def _reward_value(form: forms.Form, data: dict) -> dict:
    """The discount's value as the services take it: a whole percent, or the yuan off each item in fen."""
    raw = (data.get("value") or "").strip()
    if data.get("reward") == UnitPromotion.Reward.PERCENTAGE:
        if not raw.isdigit():
            form.add_error("value", MESSAGES[Code.VALUE_INVALID])
        else:
            data["value"] = int(raw)
    elif raw:
        try:
            data["value"] = yuan_to_fen(raw)
        except forms.ValidationError as error:
            form.add_error("value", error)
    return data


class PromotionForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=UnitPromotion.Kind.choices)
    name = forms.CharField(label=_("name"), max_length=200)
    listings = forms.ModelMultipleChoiceField(
        label=_("products"),
        queryset=Listing.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": MESSAGES[Code.LISTING_OF_ANOTHER_UNIT]},
    )
    reward = forms.ChoiceField(label=_("discount"), choices=UnitPromotion.Reward.choices)
    value = forms.CharField(label=_("percent, or yuan off each item"), max_length=12)
    code = forms.CharField(label=_("voucher code"), max_length=64, required=False)
    usage_limit = forms.IntegerField(label=_("voucher uses"), min_value=1, required=False)
    budget = forms.CharField(label=_("budget cap (yuan)"), max_length=16)
    starts_at = BeijingDateTimeField(label=_("starts (Beijing time)"))
    ends_at = BeijingDateTimeField(label=_("ends (Beijing time)"))
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        # only the unit's own listings in the shop are offered; another unit's id is refused by name
        self.fields["listings"].queryset = (
            Listing.objects.filter(unit=unit).exclude(saleor_product_id="").order_by("name_zh")
        )

    def clean_budget(self):
        return yuan_to_fen(self.cleaned_data["budget"])

    def clean(self):
        return _reward_value(self, super().clean())

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "name": d["name"],
            "listing_ids": [listing.pk for listing in d["listings"]],
            "reward": d["reward"],
            "value": d["value"],
            "code": d.get("code") or "",
            "usage_limit": d.get("usage_limit"),
            "budget_fen": d["budget"],
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
            "note": d.get("note") or "",
        }


class CampaignForm(forms.Form):
    """A platform campaign's terms; times typed in Beijing time."""

    name = forms.CharField(label=_("name"), max_length=200)
    reward = forms.ChoiceField(label=_("discount"), choices=UnitPromotion.Reward.choices)
    value = forms.CharField(label=_("percent, or yuan off each item"), max_length=12)
    funder = forms.ChoiceField(label=_("Funded by"), choices=PlatformCampaign.Funder.choices)
    platform_bps = forms.IntegerField(
        label=_("Platform's part (bps, for a split)"), min_value=1, max_value=9_999, required=False
    )
    combinable = forms.BooleanField(
        label=_("may be combined with a unit's own sale or voucher on the same product"), required=False
    )
    starts_at = BeijingDateTimeField(label=_("starts (Beijing time)"))
    ends_at = BeijingDateTimeField(label=_("ends (Beijing time)"))

    def clean(self):
        return _reward_value(self, super().clean())

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("name", "reward", "value", "funder", "platform_bps", "combinable")} | {
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
        }
