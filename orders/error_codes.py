"""Error codes of orders: why an order event was parked, or a fulfilment refused."""

from __future__ import annotations

from enum import StrEnum

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
    NOT_ALLOWED = "not_allowed"
    REASON_REQUIRED = "reason_required"
    NOTHING_TO_REFUND = "nothing_to_refund"
    SHIPPING_ALREADY_REFUNDED = "shipping_already_refunded"
    STALE = "stale"


class OrderInputError(AppError):
    """An order Saleor sent that cannot be projected or posted as it is; `code` is stable."""

    def __str__(self) -> str:
        return f"{self.code}: {self.args[0]}"
