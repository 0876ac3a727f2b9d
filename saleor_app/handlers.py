"""Which domain functions handle which Saleor event: explicit, no signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

# Saleor-Event (lower-case) -> dotted path(s) of `handler(*, event_type, payload, installation)`.
# Several apps may handle one event (a list): they run in order, in the inbox's one transaction.
# Domain apps add their entries here as they gain handlers; settings may extend it (None: no handler).
_PRODUCT_CHANGE = [
    "catalog.saleor_changes.product_changed",
    "search.webhooks.product_changed",
    "storefront.webhooks.product_changed",
]
HANDLERS: dict[str, str | list[str]] = {
    "product_created": _PRODUCT_CHANGE,
    "product_updated": _PRODUCT_CHANGE,
    "product_deleted": _PRODUCT_CHANGE,
    "product_variant_updated": [
        "catalog.saleor_changes.variant_changed",
        "search.webhooks.product_changed",
        "storefront.webhooks.product_changed",
    ],
    **{
        f"product_variant_{change}": [
            "search.webhooks.product_changed",
            "storefront.webhooks.product_changed",
        ]
        for change in ("created", "deleted", "out_of_stock", "back_in_stock")
    },
    **{
        event: "storefront.webhooks.attribute_changed"
        for event in (
            "attribute_updated",
            "attribute_deleted",
            "attribute_value_updated",
            "attribute_value_deleted",
            "translation_created",
            "translation_updated",
        )
    },
    **{
        event: ["orders.webhooks.order_event", "search.webhooks.order_changed"]
        for event in (
            "order_created",
            "order_updated",
            "order_fully_paid",
            "order_cancelled",
            "order_refunded",
            "order_fully_refunded",
            "fulfillment_created",
        )
    },
}


def handlers_for(event_type: str) -> list[Callable[..., Any]]:
    """The handlers of an event, in order (empty: nobody handles it)."""
    entry = {**HANDLERS, **getattr(settings, "SALEOR_WEBHOOK_HANDLERS", {})}.get(event_type)
    if not entry:
        return []
    return [import_string(path) for path in ([entry] if isinstance(entry, str) else entry)]
