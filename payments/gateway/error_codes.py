"""Error codes of the Stripe gateway; messages are for humans, codes for machines."""

from enum import StrEnum


class GatewayErrorCode(StrEnum):
    UNKNOWN_INSTALLATION = "unknown_installation"
    SIGNATURE_INVALID = "signature_invalid"
    UNKNOWN_WEBHOOK = "unknown_webhook"
    BAD_REQUEST_BODY = "bad_request_body"
    AMOUNT_INVALID = "amount_invalid"
    STRIPE_UNAVAILABLE = "stripe_unavailable"
    STRIPE_REFUSED = "stripe_refused"
    UNKNOWN_TRANSACTION = "unknown_transaction"
    STRIPE_SIGNATURE_INVALID = "stripe_signature_invalid"


MESSAGES: dict[GatewayErrorCode, str] = {
    GatewayErrorCode.AMOUNT_INVALID: "This amount cannot be paid with Stripe.",
    GatewayErrorCode.STRIPE_UNAVAILABLE: "The payment provider is not reachable right now; please try again.",
    GatewayErrorCode.STRIPE_REFUSED: "The payment provider refused the payment.",
    GatewayErrorCode.UNKNOWN_TRANSACTION: "This payment is not known to the Stripe gateway.",
}
