"""Saleor product events -> storefront cache invalidation (called by the webhook inbox)."""

from __future__ import annotations

from typing import Any

from storefront.catalog_cache import catalog_invalidate


def product_changed(*, event_type: str, payload: dict[str, Any], installation) -> None:
    """A product or one of its variants changed: the pages showing it are rebuilt on next view."""
    product = payload.get("product") or (payload.get("productVariant") or {}).get("product") or {}
    catalog_invalidate(product_id=product.get("id"), slug=product.get("slug"))
