"""Saleor's shipping sync webhooks: verify the JWS and the recipient, then price the parcels at once.

No call to Saleor on this path: the answer comes from this service's tables. Any refusal or failure gives
Saleor no method (an error status or an empty list), never a wrong price.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from saleor_app import selectors, signatures
from saleor_app.webhook_specs import SHIPPING_WEBHOOKS_BY_NAME
from shipping import quotes

logger = logging.getLogger(__name__)

_HANDLERS: dict[str, Callable[..., object]] = {
    "shipping-list-methods-for-checkout": quotes.shipping_methods_list,
    "checkout-filter-shipping-methods": quotes.shipping_methods_filter,
}


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@csrf_exempt
@require_POST
def saleor_webhook(request: HttpRequest, name: str) -> JsonResponse:
    spec = SHIPPING_WEBHOOKS_BY_NAME.get(name)
    if spec is None:
        return _error(404, "unknown_webhook", f"No shipping webhook named {name}.")
    installation = selectors.installation_get_cached(api_url=request.headers.get("Saleor-Api-Url", ""))
    if installation is None:
        return _error(401, "unknown_installation", "This Saleor has not installed the app.")
    try:
        signatures.verify(installation, request.body, request.headers.get("Saleor-Signature", ""))
    except signatures.SignatureInvalid as exc:
        logger.warning("shipping webhook %s refused: %s", name, exc)
        return _error(401, "signature_invalid", "Signature verification failed.")
    if request.headers.get("Saleor-Event", "").lower() not in spec.event_types:
        return _error(400, "unknown_webhook", f"This event is not delivered to {name}.")
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "bad_request_body", "Body is not JSON.")
    if not isinstance(payload, dict):
        return _error(400, "bad_request_body", "Body is not a JSON object.")
    refused = signatures.recipient_refusal(installation, payload, name)
    if refused is not None:
        status, code, message = refused
        return _error(status, str(code), message)
    if not signatures.fresh(payload):
        return _error(401, "stale_webhook", "The webhook's issuedAt is missing or too old.")
    answer = _HANDLERS[name](payload=payload)
    return JsonResponse(answer, safe=False)
