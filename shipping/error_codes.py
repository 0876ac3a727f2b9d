"""Error codes of shipping rates; messages are for humans, codes for machines."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from core.errors import FieldError


class ShippingErrorCode(StrEnum):
    STALE_RATES = "shipping_stale_rates"
    IN_THE_PAST = "shipping_rates_in_the_past"
    UNKNOWN_PROVINCE = "shipping_unknown_province"
    SAME_START = "shipping_rates_same_start"
    NO_PROVINCE_SERVED = "shipping_no_province_served"
    BAD_PROVINCE_LINE = "shipping_bad_province_line"


MESSAGES = {
    ShippingErrorCode.STALE_RATES: _(
        "Someone changed these rates after you opened the page: reload it and make your change again."
    ),
    ShippingErrorCode.IN_THE_PAST: _("The new rates cannot start in the past: choose now or a later time."),
    ShippingErrorCode.UNKNOWN_PROVINCE: _("“%(province)s” is not a province of mainland China."),
    ShippingErrorCode.SAME_START: _("A version already starts at that time: choose another time."),
    ShippingErrorCode.NO_PROVINCE_SERVED: _(
        "Give a default rate or at least one province's rate: otherwise no parcel can be shipped."
    ),
    ShippingErrorCode.BAD_PROVINCE_LINE: _(
        "“%(line)s” is not “province amount”, e.g. 新疆维吾尔自治区 25.00 (amount in yuan)."
    ),
}


class ShippingError(FieldError):
    """A refusal the user can act on; `field` names the form field, if any."""

    MESSAGES = MESSAGES
