"""Saleor's payment sync webhooks (verify the JWS, answer at once) and the buyer's payment page."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.cart_session import cart_owns
from core.csp import csp_allow
from core.machine_endpoints import machine_endpoint, machine_error
from payments.gateway import checkout_payment, services
from payments.gateway.error_codes import MESSAGES
from payments.gateway.error_codes import GatewayErrorCode as Code
from payments.gateway.stripe_errors import StripeUnavailable
from saleor_app.sync_deliveries import DeliveryRefused, sync_delivery_accept
from saleor_app.webhook_specs import SYNC_WEBHOOKS_BY_NAME

logger = logging.getLogger(__name__)

_HANDLERS: dict[str, Callable[..., dict]] = {
    "payment-gateway-initialize-session": lambda *, installation, payload: (
        services.gateway_session_initialize(payload=payload)
    ),
    "transaction-initialize-session": services.transaction_session_initialize,
    "transaction-process-session": services.transaction_session_process,
    "transaction-charge-requested": services.transaction_charge,
    "transaction-refund-requested": services.transaction_refund,
    "transaction-cancelation-requested": services.transaction_cancel,
}


@machine_endpoint
@require_POST
def saleor_webhook(request: HttpRequest, name: str) -> JsonResponse:
    spec = SYNC_WEBHOOKS_BY_NAME.get(name)
    # the installation read now, not from the per-process cache
    try:
        installation, payload = sync_delivery_accept(
            request, name=name, spec=spec, kind="payment", cached=False
        )
    except DeliveryRefused as refused:
        return machine_error(refused.status, Code(refused.code), refused.message)
    try:
        return JsonResponse(_HANDLERS[name](installation=installation, payload=payload))
    except StripeUnavailable as exc:
        # Saleor retries *_REQUESTED deliveries on 5xx; the retry reuses the same idempotency key.
        logger.warning("payment webhook %s: stripe unavailable: %s", name, exc)
        return machine_error(503, Code.STRIPE_UNAVAILABLE, MESSAGES[Code.STRIPE_UNAVAILABLE])


def _not_yours(request: HttpRequest) -> HttpResponse:
    context = {"message": MESSAGES[Code.CHECKOUT_NOT_YOURS], "retry_url": reverse("storefront:cart")}
    return render(request, "payments/gateway/result.html", context, status=403)


def _retry_url(checkout_id: str) -> str:
    return reverse("payments_gateway:payment-page") + "?" + urlencode({"checkout": checkout_id})


@require_GET
@csp_allow(lambda request, response: checkout_payment.stripe_csp())
def payment_page(request: HttpRequest) -> HttpResponse:
    """The buyer's payment page: Stripe's Payment Element for the Saleor transaction of this checkout."""
    checkout_id = request.GET.get("checkout", "")
    if not cart_owns(request.session, checkout_id=checkout_id):
        # A checkout id is no secret (it is in URLs): only the browser whose cart it is may pay it.
        return _not_yours(request)
    try:
        page = checkout_payment.payment_page_open(checkout_id=checkout_id)
    except checkout_payment.PaymentPageError as exc:
        logger.info("payment page for %s: %s", checkout_id, exc.code)
        return render(request, "payments/gateway/result.html", {"message": exc.message}, status=400)
    return_url = request.build_absolute_uri(
        reverse("payments_gateway:payment-return") + "?" + urlencode({"checkout": checkout_id})
    )
    return render(
        request,
        "payments/gateway/pay.html",
        {
            "page": page,
            "stripe_js_url": checkout_payment.stripe_js_url(),
            "card_element": checkout_payment.card_element_fallback(),
            "payment_intent_id": page.client_secret.split("_secret_")[0],
            "stripe_config": {
                "publishableKey": page.publishable_key,
                "clientSecret": page.client_secret,
                "returnUrl": return_url,
            },
        },
    )


@require_POST
def payment_card(request: HttpRequest) -> HttpResponse:
    """Card Element fallback (localstripe only): the tokenised card confirms the PaymentIntent here."""
    checkout_id = request.POST.get("checkout", "")
    if not cart_owns(request.session, checkout_id=checkout_id):
        return _not_yours(request)
    payment_intent_id = request.POST.get("payment_intent", "")[:100]
    try:
        checkout_payment.payment_card_confirm(
            checkout_id=checkout_id,
            payment_intent_id=payment_intent_id,
            token_id=request.POST.get("token", ""),
        )
    except checkout_payment.PaymentPageError as exc:
        logger.info("card payment for %s: %s", checkout_id, exc.code)
        status = 404 if exc.code == Code.CARD_FALLBACK_OFF else 400
        context = {"message": exc.message, "retry_url": _retry_url(checkout_id)}
        return render(request, "payments/gateway/result.html", context, status=status)
    query = urlencode({"checkout": checkout_id, "payment_intent": payment_intent_id})
    return redirect(reverse("payments_gateway:payment-return") + "?" + query)


@require_GET
def payment_return(request: HttpRequest) -> HttpResponse:
    """Where Stripe.js sends the buyer back: the storefront's order on success, a clear message otherwise."""
    checkout_id = request.GET.get("checkout", "")
    if not cart_owns(request.session, checkout_id=checkout_id):
        return _not_yours(request)
    outcome = checkout_payment.payment_page_finish(
        checkout_id=checkout_id, payment_intent_id=request.GET.get("payment_intent", "")
    )
    if outcome.order_id:
        logger.info("checkout %s paid: order %s", checkout_id, outcome.order_number)
        # The storefront checks the order against the buyer's session, then mails and shows it.
        query = urlencode({"checkout": checkout_id, "order": outcome.order_id})
        return redirect(reverse("storefront:checkout_paid") + "?" + query)
    return render(
        request,
        "payments/gateway/result.html",
        {"message": outcome.message, "retry_url": _retry_url(checkout_id) if outcome.can_retry else ""},
    )
