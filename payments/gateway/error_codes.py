"""Error codes of the Stripe gateway; messages are for humans, codes for machines."""

from enum import StrEnum


class GatewayErrorCode(StrEnum):
    UNKNOWN_INSTALLATION = "unknown_installation"
    SIGNATURE_INVALID = "signature_invalid"
    UNKNOWN_WEBHOOK = "unknown_webhook"
    RECIPIENT_MISMATCH = "recipient_mismatch"
    RECIPIENT_UNKNOWN = "recipient_unknown"
    BAD_REQUEST_BODY = "bad_request_body"
    AMOUNT_INVALID = "amount_invalid"
    STRIPE_UNAVAILABLE = "stripe_unavailable"
    STRIPE_REFUSED = "stripe_refused"
    UNKNOWN_TRANSACTION = "unknown_transaction"
    STRIPE_SIGNATURE_INVALID = "stripe_signature_invalid"
    STALE_WEBHOOK = "stale_webhook"
    NOT_INSTALLED = "not_installed"
    SALEOR_UNAVAILABLE = "saleor_unavailable"
    CHECKOUT_NOT_FOUND = "checkout_not_found"
    PAYMENT_NOT_STARTED = "payment_not_started"
    PAYMENT_NOT_COMPLETED = "payment_not_completed"
    PAYMENT_PENDING = "payment_pending"
    ORDER_NOT_CREATED = "order_not_created"
    CHECKOUT_NOT_YOURS = "checkout_not_yours"
    CARD_FALLBACK_OFF = "card_fallback_off"


MESSAGES: dict[GatewayErrorCode, str] = {
    GatewayErrorCode.AMOUNT_INVALID: "This amount cannot be paid with Stripe.",
    GatewayErrorCode.STRIPE_UNAVAILABLE: "The payment provider is not reachable right now; please try again.",
    GatewayErrorCode.STRIPE_REFUSED: "The payment provider refused the payment.",
    GatewayErrorCode.UNKNOWN_TRANSACTION: "This payment is not known to the Stripe gateway.",
    GatewayErrorCode.NOT_INSTALLED: "Payments are not available yet: the shop is not connected.",
    GatewayErrorCode.SALEOR_UNAVAILABLE: "The shop is not reachable right now; please try again in a moment.",
    GatewayErrorCode.CHECKOUT_NOT_FOUND: "This cart no longer exists or has already been ordered.",
    GatewayErrorCode.PAYMENT_NOT_STARTED: "The payment could not be started.",
    GatewayErrorCode.PAYMENT_NOT_COMPLETED: (
        "The payment was not completed; nothing was charged. Please try again."
    ),
    GatewayErrorCode.PAYMENT_PENDING: "Your payment is still being processed; your order follows shortly.",
    GatewayErrorCode.ORDER_NOT_CREATED: "Your payment was received but the order could not be created yet.",
    GatewayErrorCode.CHECKOUT_NOT_YOURS: (
        "This payment link is not for the cart in this browser. Please pay from your cart."
    ),
    GatewayErrorCode.CARD_FALLBACK_OFF: "Please pay with the payment form on the payment page.",
}
