"""The buyer's payment page: start (or resume) the Saleor transaction, then finish it into an order."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import stripe
from django.conf import settings

from core.errors import AppError
from payments.gateway import config, stripe_api
from payments.gateway.error_codes import MESSAGES
from payments.gateway.error_codes import GatewayErrorCode as Code
from payments.gateway.models import PaymentIntentRecord
from payments.gateway.stripe_errors import RETRYABLE, user_message
from saleor_app import selectors
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorError, SaleorMutationError

_PAID = {"CHARGE_SUCCESS", "AUTHORIZATION_SUCCESS"}
_PENDING = {"CHARGE_REQUEST", "AUTHORIZATION_REQUEST"}


class PaymentPageError(AppError):
    """Something the buyer must be told in words; `code` is for logs and tests."""

    def __init__(self, code: Code, detail: str = "") -> None:
        super().__init__(code, f"{MESSAGES[code]} {detail}".strip())


@dataclass(frozen=True)
class PaymentPage:
    checkout_id: str
    transaction_id: str
    client_secret: str
    publishable_key: str
    amount: Decimal
    currency: str
    payment_method_types: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PaymentOutcome:
    order_id: str = ""
    order_number: str = ""
    message: str = ""
    can_retry: bool = False


def stripe_js_url() -> str:
    """Stripe.js from Stripe, or the test double localstripe serves when STRIPE_API_BASE points at it."""
    base = settings.STRIPE_API_BASE.rstrip("/")
    return f"{base}/js.stripe.com/v3/" if base else "https://js.stripe.com/v3/"


def stripe_csp() -> dict[str, list[str]]:
    """What the payment page's Content-Security-Policy must add for Stripe.js, and nothing more.

    Stripe's own list (docs.stripe.com/security/guide, "Content Security Policy"), less the Google Maps
    origins only its Address Element uses; localstripe's Stripe.js loads from and talks to its one origin."""
    base = urlsplit(settings.STRIPE_API_BASE)
    if base.netloc:
        origin = f"{base.scheme}://{base.netloc}"
        return {"script-src": [origin], "connect-src": [origin]}
    return {
        "script-src": ["https://js.stripe.com", "https://*.js.stripe.com"],
        "frame-src": ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"],
        "connect-src": ["https://api.stripe.com"],
    }


def card_element_fallback() -> bool:
    """True only against localstripe with test keys: its Stripe.js has a Card Element, no Payment Element.

    Then the page tokenises the card with Stripe.js and this service confirms the PaymentIntent; with
    Stripe itself (STRIPE_API_BASE empty) the Payment Element confirms in the browser, as always."""
    return bool(settings.STRIPE_API_BASE) and config.test_mode()


def _storefront_client() -> SaleorClient:
    installation = selectors.installation_default()
    if installation is None:
        raise PaymentPageError(Code.NOT_INSTALLED)
    return SaleorClient(installation.api_url)  # as the buyer's browser would: no app token


def _idempotency_key(checkout_id: str, amount: Decimal, currency: str) -> str:
    # Same cart and total -> same Saleor transaction -> same PaymentIntent: reloading or retrying the page
    # can never start a second payment. A changed total starts a new one (the old intent stays unpaid).
    return hashlib.sha256(f"wc-pay:{checkout_id}:{amount}:{currency}".encode()).hexdigest()


def payment_page_open(*, checkout_id: str) -> PaymentPage:
    """Start the Saleor transaction for the checkout's total, or resume the one already started."""
    client = _storefront_client()
    try:
        checkout = client.execute("PaymentCheckout", {"id": checkout_id}).get("checkout")
        if not checkout:
            raise PaymentPageError(Code.CHECKOUT_NOT_FOUND)
        gross = checkout["totalPrice"]["gross"]
        amount, currency = Decimal(str(gross["amount"])), gross["currency"]
        result = client.mutate(
            "PaymentTransactionInitialize",
            {
                "id": checkout_id,
                "gateway": {"id": settings.SALEOR_APP_IDENTIFIER, "data": {}},
                "idempotencyKey": _idempotency_key(checkout_id, amount, currency),
            },
            "transactionInitialize",
        )
    except SaleorMutationError as exc:
        raise PaymentPageError(Code.PAYMENT_NOT_STARTED, "; ".join(e.message for e in exc.errors)) from exc
    except SaleorError as exc:
        raise PaymentPageError(Code.SALEOR_UNAVAILABLE) from exc
    event = result.get("transactionEvent") or {}
    data: dict[str, Any] = result.get("data") or {}
    if not data.get("clientSecret"):
        raise PaymentPageError(Code.PAYMENT_NOT_STARTED, event.get("message") or "")
    return PaymentPage(
        checkout_id=checkout_id,
        transaction_id=result["transaction"]["id"],
        client_secret=data["clientSecret"],
        publishable_key=data.get("publishableKey") or config.publishable_key(),
        amount=amount,
        currency=currency,
        payment_method_types=list(data.get("paymentMethodTypes") or []),
    )


def payment_page_finish(*, checkout_id: str, payment_intent_id: str) -> PaymentOutcome:
    """After Stripe.js returned: ask Saleor for the outcome, then complete the checkout if it is paid."""
    record = PaymentIntentRecord.objects.filter(
        payment_intent_id=payment_intent_id, source_id=checkout_id
    ).first()
    if record is None:
        return PaymentOutcome(message=MESSAGES[Code.UNKNOWN_TRANSACTION])
    client = _storefront_client()
    try:
        processed = client.mutate(
            "PaymentTransactionProcess", {"id": record.saleor_transaction_id}, "transactionProcess"
        )
    except SaleorError:
        return PaymentOutcome(message=MESSAGES[Code.SALEOR_UNAVAILABLE], can_retry=True)
    event_type = (processed.get("transactionEvent") or {}).get("type") or ""
    if event_type in _PENDING:
        return PaymentOutcome(message=MESSAGES[Code.PAYMENT_PENDING])
    if event_type not in _PAID:
        declined = (processed.get("data") or {}).get("error") or ""
        return PaymentOutcome(
            message=f"{declined} {MESSAGES[Code.PAYMENT_NOT_COMPLETED]}".strip(), can_retry=True
        )
    try:
        order = client.mutate("PaymentCheckoutComplete", {"id": checkout_id}, "checkoutComplete")["order"]
    except SaleorError:
        return PaymentOutcome(message=MESSAGES[Code.ORDER_NOT_CREATED])
    return PaymentOutcome(order_id=order["id"], order_number=str(order["number"]))


def payment_card_confirm(*, checkout_id: str, payment_intent_id: str, token_id: str) -> None:
    """Card Element fallback (localstripe): confirm this checkout's PaymentIntent with the tokenised card."""
    if not card_element_fallback():
        raise PaymentPageError(Code.CARD_FALLBACK_OFF)
    if not PaymentIntentRecord.objects.filter(
        payment_intent_id=payment_intent_id, source_id=checkout_id
    ).exists():
        raise PaymentPageError(Code.UNKNOWN_TRANSACTION)
    if not token_id.startswith("tok_"):
        raise PaymentPageError(Code.PAYMENT_NOT_COMPLETED)
    try:
        card_id = stripe_api.token_card_id(token_id)
        stripe_api.payment_intent_confirm_with(
            payment_intent_id,
            payment_method=card_id,
            idempotency_key=hashlib.sha256(f"wc-card:{payment_intent_id}:{token_id}".encode()).hexdigest(),
        )
    except RETRYABLE as exc:
        raise PaymentPageError(Code.STRIPE_UNAVAILABLE) from exc
    except stripe.StripeError as exc:  # declined, expired: the buyer may try another card
        raise PaymentPageError(Code.PAYMENT_NOT_COMPLETED, user_message(exc)) from exc
