"""Which domain function handles which Saleor event: explicit, no signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

# Saleor-Event (lower-case) -> dotted path of `handler(*, event_type, payload, installation)`.
# Domain apps add their entries here as they gain handlers; settings may extend it.
HANDLERS: dict[str, str] = {
    "product_created": "catalog.saleor_changes.product_changed",
    "product_updated": "catalog.saleor_changes.product_changed",
    "product_deleted": "catalog.saleor_changes.product_changed",
    "product_variant_updated": "catalog.saleor_changes.variant_changed",
}


def handler_for(event_type: str) -> Callable[..., Any] | None:
    path = {**HANDLERS, **getattr(settings, "SALEOR_WEBHOOK_HANDLERS", {})}.get(event_type)
    return import_string(path) if path else None
