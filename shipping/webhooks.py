"""Saleor's shipping sync webhooks: verify the JWS and the recipient, then price the parcels at once.

No call to Saleor on this path: the answer comes from this service's tables. Any refusal or failure gives
Saleor no method (an error status or an empty list), never a wrong price.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from core.machine_endpoints import machine_endpoint, machine_error
from saleor_app.sync_deliveries import DeliveryRefused, sync_delivery_accept
from saleor_app.webhook_specs import SHIPPING_WEBHOOKS_BY_NAME
from shipping import quotes

_HANDLERS: dict[str, Callable[..., object]] = {
    "shipping-list-methods-for-checkout": quotes.shipping_methods_list,
    "checkout-filter-shipping-methods": quotes.shipping_methods_filter,
}


@machine_endpoint
@require_POST
def saleor_webhook(request: HttpRequest, name: str) -> JsonResponse:
    spec = SHIPPING_WEBHOOKS_BY_NAME.get(name)
    try:
        _installation, payload = sync_delivery_accept(request, name=name, spec=spec, kind="shipping")
    except DeliveryRefused as refused:
        return machine_error(refused.status, refused.code, refused.message)
    answer = _HANDLERS[name](payload=payload)
    return JsonResponse(answer, safe=False)
