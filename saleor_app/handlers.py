"""Which domain function handles which Saleor event: explicit, no signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

# Saleor-Event (lower-case) -> dotted path of `handler(*, event_type, payload, installation)`.
# Domain apps add their entries here as they gain handlers; settings may extend it.
HANDLERS: dict[str, str] = {
    event: "orders.webhooks.order_event"
    for event in (
        "order_created",
        "order_updated",
        "order_fully_paid",
        "order_cancelled",
        "order_refunded",
        "order_fully_refunded",
        "fulfillment_created",
    )
}


def handler_for(event_type: str) -> Callable[..., Any] | None:
    path = {**HANDLERS, **getattr(settings, "SALEOR_WEBHOOK_HANDLERS", {})}.get(event_type)
    return import_string(path) if path else None
