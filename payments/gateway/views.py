"""Saleor's payment sync webhooks: verify the JWS, answer with the JSON Saleor expects, at once."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from decimal import Decimal

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments.gateway import services
from payments.gateway.error_codes import MESSAGES
from payments.gateway.error_codes import GatewayErrorCode as Code
from payments.gateway.stripe_errors import StripeUnavailable
from saleor_app import selectors, signatures
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


def _error(status: int, code: Code, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@csrf_exempt
@require_POST
def saleor_webhook(request: HttpRequest, name: str) -> JsonResponse:
    spec = SYNC_WEBHOOKS_BY_NAME.get(name)
    if spec is None:
        return _error(404, Code.UNKNOWN_WEBHOOK, f"No payment webhook named {name}.")
    installation = selectors.installation_get(api_url=request.headers.get("Saleor-Api-Url", ""))
    if installation is None:
        return _error(401, Code.UNKNOWN_INSTALLATION, "This Saleor has not installed the app.")
    try:
        signatures.verify(installation, request.body, request.headers.get("Saleor-Signature", ""))
    except signatures.SignatureInvalid as exc:
        logger.warning("payment webhook %s refused: %s", name, exc)
        return _error(401, Code.SIGNATURE_INVALID, "Signature verification failed.")
    if request.headers.get("Saleor-Event", "").lower() not in spec.event_types:
        return _error(400, Code.UNKNOWN_WEBHOOK, f"This event is not delivered to {name}.")
    try:
        # Decimal, not float: amounts become minor units exactly.
        payload = json.loads(request.body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        return _error(400, Code.BAD_REQUEST_BODY, "Body is not JSON.")
    try:
        return JsonResponse(_HANDLERS[name](installation=installation, payload=payload))
    except StripeUnavailable as exc:
        # Saleor retries *_REQUESTED deliveries on 5xx; the retry reuses the same idempotency key.
        logger.warning("payment webhook %s: stripe unavailable: %s", name, exc)
        return _error(503, Code.STRIPE_UNAVAILABLE, MESSAGES[Code.STRIPE_UNAVAILABLE])
