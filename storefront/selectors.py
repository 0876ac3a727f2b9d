"""Reads for the storefront: Saleor catalog data (cached), checkouts, orders, and unit profiles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from catalog import saleor_metadata as keys
from orders.models import Fulfilment
from saleor_app.errors import SaleorGraphQLError
from storefront.attributes import material_filter
from storefront.catalog_cache import listing_cached, product_cached
from storefront.saleor import buyer_client
from unit_onboarding.models import Unit

PAGE_SIZE = 24
NEW_ARRIVALS = 12


def _channel() -> str:
    return settings.SALEOR_CHANNEL_SLUG


def _listing(name: str, variables: dict[str, Any], ttl: int | None = None) -> dict:
    return listing_cached(name, variables, lambda: buyer_client().execute(name, variables), ttl=ttl)


def home_get() -> dict:
    return _listing("StorefrontHome", {"channel": _channel(), "first": NEW_ARRIVALS})


@dataclass(frozen=True)
class ProductQuery:
    """What a listing asks Saleor for: free text and the facets (unit, category, material, price in major
    units)."""

    search: str = ""
    unit_id: str = ""
    category_id: str = ""
    material: str = ""  # a value slug of the catalog's material attribute
    price_min: int | None = None
    price_max: int | None = None
    after: str = ""

    def variables(self) -> dict[str, Any]:
        filters: dict[str, Any] = {}
        if self.unit_id:
            filters["metadata"] = [{"key": keys.UNIT_ID, "value": self.unit_id}]
        if self.category_id:
            filters["categories"] = [self.category_id]
        if material := material_filter(self.material):
            filters["attributes"] = [material]
        if self.price_min is not None or self.price_max is not None:
            filters["price"] = {
                k: v for k, v in (("gte", self.price_min), ("lte", self.price_max)) if v is not None
            }
        return {
            "channel": _channel(),
            "first": PAGE_SIZE,
            "after": self.after or None,
            "filter": filters or None,
            "search": self.search or None,
            "sortBy": None if self.search else {"field": "NAME", "direction": "ASC"},
        }


def products_find(query: ProductQuery) -> dict:
    # Saleor indexes a new product for search a minute or so after it is created, with no event: a search
    # answer is kept briefly, so one asked in that gap does not hide the product for the cache's hour.
    ttl = settings.STOREFRONT_SEARCH_CACHE_SECONDS if query.search else None
    return _listing("StorefrontProducts", query.variables(), ttl)


def category_get(*, slug: str, after: str = "") -> dict:
    """The cached listing; its "category" is None when Saleor has no such category."""
    variables = {"slug": slug, "channel": _channel(), "first": PAGE_SIZE, "after": after or None}
    return _listing("StorefrontCategory", variables)


def product_get(*, slug: str) -> dict | None:
    def fill() -> dict | None:
        return buyer_client().execute("StorefrontProduct", {"slug": slug, "channel": _channel()})["product"]

    return product_cached(slug, fill)


def sitemap_get() -> dict:
    return _listing("StorefrontSitemap", {"channel": _channel(), "first": 100})


def checkout_get(*, checkout_id: str) -> dict | None:
    """The live cart (never cached: stock and prices must be current); None when it is gone."""
    try:
        return buyer_client().execute("StorefrontCheckout", {"id": checkout_id})["checkout"]
    except SaleorGraphQLError:
        return None  # a malformed or foreign id: treat as no cart


def order_get(*, order_id: str) -> dict | None:
    try:
        return buyer_client().execute("StorefrontOrder", {"id": order_id})["order"]
    except SaleorGraphQLError:
        return None


def order_carriers(*, order: dict) -> dict[str, str]:
    """Carrier names the units' operators gave their fulfilments (Saleor keeps only tracking numbers)."""
    ids = [f["id"] for f in order.get("fulfillments") or []]
    if not ids:
        return {}
    rows = Fulfilment.objects.filter(saleor_id__in=ids).exclude(carrier="")
    return dict(rows.values_list("saleor_id", "carrier"))


def units_featured(limit: int = 8) -> list[Unit]:
    return list(
        Unit.objects.filter(status=Unit.Status.ACTIVE)
        .exclude(display_name="")
        .order_by("display_name")[:limit]
    )


def unit_get_public(*, unit_id: int) -> Unit | None:
    return Unit.objects.filter(pk=unit_id, status=Unit.Status.ACTIVE).first()


def units_public() -> list[Unit]:
    return list(Unit.objects.filter(status=Unit.Status.ACTIVE).order_by("display_name", "pk"))
