"""Products on sale made through the real catalog services (the index hook runs in their transactions)."""

from __future__ import annotations

import uuid

from catalog import listings
from catalog.models import Listing
from orders.models import Order, OrderLine
from tests.catalog.factories import active_unit, curator, listing_data, variant
from tests.unit_onboarding.factories import operator_of


def on_sale(unit, *, price_fen: int = 12800, publish: bool = True, **data) -> Listing:
    """A listing of the unit submitted, approved by a curator and (by default) put on sale."""
    operator = operator_of(unit)
    tag = uuid.uuid4().hex[:8].upper()
    # Descriptions of their own: the factory's mentions a bronze mirror on every product.
    data.setdefault("description_zh", data.get("name_zh", ""))
    data.setdefault("description_en", data.get("name_en", ""))
    listing = listings.listing_create(
        unit=unit,
        data=listing_data(**data),
        variants=[variant(f"{tag}-1", price_fen=price_fen)],
        actor=operator,
    )
    listings.listing_submit(listing=listing, actor=operator)
    listings.listing_review(listing=listing, approve=True, reviewer=curator())
    if publish:
        listings.listing_publish(listing=listing, on_sale=True, actor=operator)
    listing.refresh_from_db()
    return listing


def names(result) -> list[str]:
    return [hit["name_zh"] for hit in result.hits]


__all__ = ["active_unit", "names", "on_sale"]


def mirror_coasters(unit) -> Listing:
    """The unit's mirror-pattern coasters (homeware, wood, Qin-Han), on sale at 68.00: a product the shop's
    search tests share."""
    return on_sale(
        unit,
        name_zh="铜镜纹杯垫",
        name_en="Mirror-pattern coasters",
        category="wenchuang-homeware",
        price_fen=6800,
        attributes={"wenchuang-material": "wood", "wenchuang-era": "qin-han"},
    )


def paid_order(saleor_id: str, sku: str, quantity: int) -> Order:
    """A fully charged order in the projection, of `quantity` of one SKU (amounts play no part in search)."""
    order = Order.objects.create(
        saleor_id=saleor_id,
        status="UNFULFILLED",
        charge_status="FULL",
        currency="CNY",
        total=0,
        saleor_updated_at="2026-01-01T00:00:00Z",
    )
    OrderLine.objects.create(
        order=order,
        saleor_id=f"{saleor_id}-line",
        product_name=sku,
        sku=sku,
        quantity=quantity,
        undiscounted_total=0,
        total_net=0,
        currency="CNY",
    )
    return order
