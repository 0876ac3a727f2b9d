"""Saleor product and attribute events -> storefront cache invalidation (called by the webhook inbox)."""

from __future__ import annotations

from typing import Any

from storefront.catalog_cache import catalog_invalidate, catalog_invalidate_all

# Translations the storefront shows (product pages read attributes' and values' English names).
_SHOWN_TRANSLATIONS = {"AttributeTranslation", "AttributeValueTranslation"}


def product_changed(*, event_type: str, payload: dict[str, Any], installation) -> None:
    """A product or one of its variants changed: the pages showing it are rebuilt on next view."""
    product = payload.get("product") or (payload.get("productVariant") or {}).get("product") or {}
    catalog_invalidate(product_id=product.get("id"), slug=product.get("slug"))


def attribute_changed(*, event_type: str, payload: dict[str, Any], installation) -> None:
    """An attribute, a value or their translation changed: any product page may show it (no product
    event is sent), so every page is rebuilt on next view. Other objects' translations are not shown."""
    translated = (payload.get("translation") or {}).get("__typename")
    if event_type.startswith("translation_") and translated not in _SHOWN_TRANSLATIONS:
        return
    catalog_invalidate_all()
