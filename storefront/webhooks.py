"""Saleor product and attribute events -> storefront cache invalidation (called by the webhook inbox)."""

from __future__ import annotations

from typing import Any

from storefront.catalog_cache import catalog_invalidate, catalog_invalidate_all

# Translations the storefront shows (English pages read them). A product's or variant's rebuilds that
# product's pages when the event names it; any other (or one from an installation whose subscription
# predates the product id) rebuilds every page.
_SHOWN = {
    "AttributeTranslation",
    "AttributeValueTranslation",
    "CategoryTranslation",
    "ProductTranslation",
    "ProductVariantTranslation",
}


def product_changed(*, event_type: str, payload: dict[str, Any], installation) -> None:
    """A product or one of its variants changed: the pages showing it are rebuilt on next view."""
    product = payload.get("product") or (payload.get("productVariant") or {}).get("product") or {}
    catalog_invalidate(product_id=product.get("id"), slug=product.get("slug"))


def _translated_product_id(translation: dict[str, Any]) -> str | None:
    """The product a product's or variant's translation is of (None: another object's)."""
    content = translation.get("translatableContent") or {}
    if translation.get("__typename") == "ProductTranslation":
        return content.get("productId")
    if translation.get("__typename") == "ProductVariantTranslation":
        return ((content.get("productVariant") or {}).get("product") or {}).get("id")
    return None


def attribute_changed(*, event_type: str, payload: dict[str, Any], installation) -> None:
    """An attribute, a value or a translation changed (no product event is sent). A product's or variant's
    translation rebuilds that product's pages; an attribute's, value's or category's may be on any page,
    so every page is rebuilt on next view. Other objects' translations are not shown."""
    if event_type.startswith("translation_"):
        translation = payload.get("translation") or {}
        if product_id := _translated_product_id(translation):
            catalog_invalidate(product_id=product_id, slug=None)
            return
        if translation.get("__typename") not in _SHOWN:
            return
    catalog_invalidate_all()
