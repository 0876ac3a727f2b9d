"""Which domain functions handle which Saleor event: explicit, no signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

# Saleor-Event (lower-case) -> dotted path(s) of `handler(*, event_type, payload, installation)`.
# Several apps may handle one event (a list): they run in order, in the inbox's one transaction.
# Domain apps add their entries here as they gain handlers; settings may extend it (None: no handler).
_PRODUCT_CHANGE = ["storefront.webhooks.product_changed"]
HANDLERS: dict[str, str | list[str]] = {
    "product_created": _PRODUCT_CHANGE,
    "product_updated": _PRODUCT_CHANGE,
    "product_deleted": _PRODUCT_CHANGE,
    **{
        f"product_variant_{change}": "storefront.webhooks.product_changed"
        for change in ("created", "updated", "deleted", "out_of_stock", "back_in_stock")
    },
}


def handler_for(event_type: str) -> Callable[..., Any] | None:
    entry = {**HANDLERS, **getattr(settings, "SALEOR_WEBHOOK_HANDLERS", {})}.get(event_type)
    if not entry:
        return None
    handlers = [import_string(path) for path in ([entry] if isinstance(entry, str) else entry)]
    if len(handlers) == 1:
        return handlers[0]

    def fan_out(**kwargs: Any) -> None:
        for handler in handlers:
            handler(**kwargs)

    return fan_out
