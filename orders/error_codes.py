"""Error codes of orders: why an order event was parked, or a fulfilment refused."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from core.errors import AppError


class OrdersErrorCode(StrEnum):
    MALFORMED_PAYLOAD = "malformed_payload"
    UNIT_UNRESOLVED = "unit_unresolved"
    UNIT_AMBIGUOUS = "unit_ambiguous"
    NO_AGREEMENT = "no_agreement"
    CURRENCY_MISMATCH = "currency_mismatch"
    AMOUNT_MISMATCH = "amount_mismatch"
    NOTHING_TO_FULFIL = "nothing_to_fulfil"
    QUANTITY_TOO_HIGH = "quantity_too_high"
    TRACKING_REQUIRED = "tracking_required"
    SALEOR_REFUSED = "saleor_refused"
    SALEOR_UNREACHABLE = "saleor_unreachable"
    NOT_PAID = "not_paid"
    ORDER_NOT_FOUND = "order_not_found"
    NOT_ALLOWED = "not_allowed"
    REASON_REQUIRED = "reason_required"
    NOTHING_TO_REFUND = "nothing_to_refund"
    SHIPPING_ALREADY_REFUNDED = "shipping_already_refunded"
    STALE = "stale"


class OrderInputError(AppError):
    """An order Saleor sent that cannot be projected or posted as it is; `code` is stable."""

    def __str__(self) -> str:
        return f"{self.code}: {self.args[0]}"


# What an operator reads when a shipment is refused (the exception's own text is for logs and parked events).
SHIP_MESSAGES = {
    OrdersErrorCode.TRACKING_REQUIRED: _("Give the carrier and the tracking number."),
    OrdersErrorCode.NOTHING_TO_FULFIL: _("Choose at least one item of your unit to ship."),
    OrdersErrorCode.QUANTITY_TOO_HIGH: _(
        "More was chosen than is left to ship; reload the order and try again."
    ),
    OrdersErrorCode.SALEOR_REFUSED: _("Saleor refused to ship this order, nothing was shipped: %(detail)s"),
    OrdersErrorCode.SALEOR_UNREACHABLE: _(
        "Saleor could not be reached; nothing was shipped, try again shortly."
    ),
    OrdersErrorCode.NOT_PAID: _("This order is not fully paid; it cannot be shipped."),
    OrdersErrorCode.ORDER_NOT_FOUND: _("Your unit has no such order."),
}


def ship_message(error: OrderInputError) -> str:
    """The refusal of a shipment in the operator's language (Saleor's own words kept as the detail)."""
    text = SHIP_MESSAGES.get(error.code)
    return str(text) % {"detail": error.message} if text is not None else error.message
