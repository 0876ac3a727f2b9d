"""The unit's shipping rates form: amounts in yuan as people write them, stored in fen."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from core.provinces import province_of
from shipping.error_codes import MESSAGES
from shipping.error_codes import ShippingErrorCode as Code
from shipping.models import ShippingRates


def yuan_to_fen(value: str) -> int:
    """'10', '10.5' or '10.50' yuan as fen; negative or more than two decimals is refused."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise forms.ValidationError(_("Enter an amount in yuan such as 10.00.")) from exc
    if amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount > 100_000:
        raise forms.ValidationError(_("Enter an amount in yuan from 0 with at most two decimals."))
    return int(amount * 100)


def fen_to_yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen // 100}.{fen % 100:02d}"


class YuanField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        return None if value in (None, "") else yuan_to_fen(value)


class RatesForm(forms.Form):
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput)
    effective_from = forms.DateTimeField(
        label=_("in force from"),
        required=False,
        help_text=_("Empty: now. Carts priced from then on pay the new rates; earlier ones keep theirs."),
    )
    default_rate = YuanField(
        label=_("default rate per parcel (yuan)"),
        required=False,
        help_text=_("Empty: only the provinces listed below are served."),
    )
    province_rates = forms.CharField(
        label=_("rates by province"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One a line: province and rate in yuan, e.g. 新疆维吾尔自治区 25.00."),
    )
    free_over = YuanField(
        label=_("free shipping from (yuan of this unit's goods)"),
        required=False,
        help_text=_("Empty: never free."),
    )
    per_item = YuanField(label=_("per additional item (yuan)"), required=False)
    pickup = forms.BooleanField(label=_("buyers may collect at our counter (到馆自提)"), required=False)

    def clean_province_rates(self) -> dict[str, int]:
        rates: dict[str, int] = {}
        for raw in (self.cleaned_data.get("province_rates") or "").splitlines():
            line = raw.strip()
            if not line:
                continue
            parts = line.replace("：", " ").replace(":", " ").split()  # noqa: RUF001
            if len(parts) != 2:
                raise forms.ValidationError(str(MESSAGES[Code.BAD_PROVINCE_LINE]) % {"line": line})
            province = province_of(parts[0])
            if province is None:
                raise forms.ValidationError(str(MESSAGES[Code.UNKNOWN_PROVINCE]) % {"province": parts[0]})
            rates[province] = yuan_to_fen(parts[1])
        return rates

    @staticmethod
    def initial_from(version: ShippingRates | None) -> dict:
        if version is None:
            return {"based_on": None, "per_item": "0.00"}
        return {
            "based_on": version.pk,
            "default_rate": fen_to_yuan(version.default_rate),
            "province_rates": "\n".join(
                f"{name} {fen_to_yuan(fen)}" for name, fen in sorted(version.province_rates.items())
            ),
            "free_over": fen_to_yuan(version.free_over),
            "per_item": fen_to_yuan(version.per_item),
            "pickup": version.pickup,
        }
