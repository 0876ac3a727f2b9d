"""Reads for the storefront: Saleor catalog data (cached), checkouts, orders, and unit profiles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from catalog import saleor_metadata as keys
from orders.models import Fulfilment, ParcelRefund
from saleor_app.errors import SaleorGraphQLError
from storefront.catalog_cache import listing_cached, product_cached
from storefront.saleor import buyer_client
from unit_onboarding.models import Unit

PAGE_SIZE = 24
NEW_ARRIVALS = 12


def _channel() -> str:
    return settings.SALEOR_CHANNEL_SLUG


def _listing(name: str, variables: dict[str, Any]) -> dict:
    return listing_cached(name, variables, lambda: buyer_client().execute(name, variables))


def home_get() -> dict:
    return _listing("StorefrontHome", {"channel": _channel(), "first": NEW_ARRIVALS})


@dataclass(frozen=True)
class ProductQuery:
    """A unit shop's listing as Saleor gives it (search has its own index: search.selectors)."""

    unit_id: str = ""
    after: str = ""

    def variables(self) -> dict[str, Any]:
        filters = {"metadata": [{"key": keys.UNIT_ID, "value": self.unit_id}]} if self.unit_id else None
        return {
            "channel": _channel(),
            "first": PAGE_SIZE,
            "after": self.after or None,
            "filter": filters,
            "search": None,
            "sortBy": {"field": "NAME", "direction": "ASC"},
        }


def products_find(query: ProductQuery) -> dict:
    return _listing("StorefrontProducts", query.variables())


def products_by_slugs(slugs: list[str]) -> dict[str, dict]:
    """Saleor's cards of these products that it shows buyers, by slug: one request, cached like every
    listing (a product webhook rebuilds it)."""
    variables = {
        "channel": _channel(),
        "first": len(slugs),
        "after": None,
        "filter": {"slugs": sorted(slugs)},
        "search": None,
        "sortBy": None,
    }
    data = _listing("StorefrontProducts", variables)
    return {e["node"]["slug"]: e["node"] for e in (data.get("products") or {}).get("edges") or []}


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


# What a buyer sees of parcel refunds: granted ones (asked, refused or withdrawn ones are the unit's business)
BUYER_REFUND_STATUSES = (ParcelRefund.Status.REFUNDING, ParcelRefund.Status.REFUNDED)


def order_parcel_refunds(*, order_id: str) -> list[ParcelRefund]:
    """The granted parcel refunds of this one order (the signed link names it), oldest first."""
    return list(
        ParcelRefund.objects.filter(order__saleor_id=order_id, status__in=BUYER_REFUND_STATUSES)
        .select_related("unit")
        .order_by("decided_at", "pk")
    )


def orders_refunded(*, order_ids: list[str]) -> dict[str, tuple[int, str]]:
    """Of these orders (the signed-in buyer's own, as Saleor lists them): order id -> (granted parcel refunds
    in minor units, currency); orders without any are absent."""
    found: dict[str, tuple[int, str]] = {}
    rows = ParcelRefund.objects.filter(
        order__saleor_id__in=order_ids, status__in=BUYER_REFUND_STATUSES
    ).values_list("order__saleor_id", "amount", "currency")
    for order_id, amount, currency in rows:
        found[order_id] = (found.get(order_id, (0, currency))[0] + amount, currency)
    return found


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
