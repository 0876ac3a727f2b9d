"""Saleor events that change what search knows (called by the webhook inbox, after the catalog's and
orders' own handlers, in the same transaction)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from catalog import saleor_metadata as meta
from catalog.models import Listing
from search import services


def _listing_id(product: dict[str, Any]) -> int | None:
    """Our listing behind a Saleor product (by id, else by the listing id in its metadata)."""
    if product.get("id"):
        found = Listing.objects.filter(saleor_product_id=product["id"]).values_list("pk", flat=True).first()
        if found:
            return found
    metadata = {m["key"]: m["value"] for m in product.get("metadata") or []}
    listing_id = metadata.get(meta.LISTING_ID, "")
    reference = product.get("externalReference") or ""
    if listing_id.isdigit():
        listing = Listing.objects.filter(pk=int(listing_id)).only("pk", "uid").first()
        if listing and (not reference or reference == listing.external_reference):
            return listing.pk
    return None


def product_changed(*, event_type: str, payload: dict[str, Any], installation) -> None:
    """A product or variant changed in Saleor: its document is rewritten from our data (on sale or not),
    a variant's channel price becomes the price search sorts by, a deleted product leaves the index."""
    variant = payload.get("productVariant") or {}
    product = payload.get("product") or variant.get("product") or {}
    listing_id = _listing_id(product)
    if listing_id is None:
        return  # not one of ours: search covers the units' listings only
    if event_type == "product_deleted":
        services.document_remove(listing_id=listing_id)
        return
    services.listings_index(listing_ids=[listing_id])
    for listing in variant.get("channelListings") or []:
        price = listing.get("price") or {}
        ours = (listing.get("channel") or {}).get("slug") == settings.SALEOR_CHANNEL_SLUG
        if ours and variant.get("sku") and price.get("fractionalAmount") is not None:
            services.document_price_set(
                listing_id=listing_id, sku=variant["sku"], price_fen=int(price["fractionalAmount"])
            )


def order_changed(*, event_type: str, payload: dict[str, Any], installation) -> None:
    """An order was paid, cancelled or refunded: best-selling counts of its products are recounted."""
    order = payload.get("order") or {}
    skus = {line.get("productSku") for line in order.get("lines") or [] if line.get("productSku")}
    if skus:
        services.documents_sold_refresh(skus=skus)
