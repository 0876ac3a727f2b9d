"""Saleor's product and order events keep the index true: rewritten, repriced, removed, recounted."""

from __future__ import annotations

import pytest

from catalog import saleor_metadata as meta
from catalog.models import Listing
from orders.models import Order
from saleor_app.handlers import handlers_for
from search import webhooks
from search.models import SearchDocument
from search.selectors import SearchQuery, search
from tests.search.helpers import active_unit, names, on_sale, paid_order

pytestmark = pytest.mark.django_db


def product_payload(listing: Listing, **extra) -> dict:
    return {
        "id": listing.saleor_product_id or "UHJvZHVjdDo5OTk=",
        "slug": listing.slug,
        "externalReference": listing.external_reference,
        "metadata": [{"key": meta.LISTING_ID, "value": str(listing.pk)}],
        **extra,
    }


def test_the_inbox_runs_search_after_the_catalog_and_before_the_storefront_cache():
    paths = [f"{h.__module__}.{h.__name__}" for h in handlers_for("product_updated")]
    assert paths == [
        "catalog.saleor_changes.product_changed",
        "search.webhooks.product_changed",
        "storefront.webhooks.product_changed",
    ]
    assert "search.webhooks.order_changed" in [
        f"{h.__module__}.{h.__name__}" for h in handlers_for("order_fully_paid")
    ]


def test_a_product_event_rewrites_the_document_of_its_listing():
    listing = on_sale(active_unit(), name_zh="铜镜纹杯垫")
    SearchDocument.objects.filter(listing=listing).delete()  # e.g. lost: the next event brings it back

    webhooks.product_changed(
        event_type="product_updated", payload={"product": product_payload(listing)}, installation=None
    )

    assert names(search(SearchQuery(text="杯垫"))) == ["铜镜纹杯垫"]


def test_a_variant_event_gives_the_price_saleor_charges_to_sorting_and_bands(settings):
    settings.SALEOR_CHANNEL_SLUG = "wenchuang-cny"
    listing = on_sale(active_unit(), name_zh="铜镜纹杯垫", price_fen=6800)
    sku = listing.variants.get().sku
    variant = {
        "sku": sku,
        "product": product_payload(listing),
        "channelListings": [
            {"channel": {"slug": "other"}, "price": {"fractionalAmount": 1, "currency": "USD"}},
            {"channel": {"slug": "wenchuang-cny"}, "price": {"fractionalAmount": 5900, "currency": "CNY"}},
        ],
    }

    webhooks.product_changed(
        event_type="product_variant_updated", payload={"productVariant": variant}, installation=None
    )

    document = SearchDocument.objects.get(listing=listing)
    assert document.price_fen == 5900 and document.saleor_prices == {sku: 5900}
    assert search(SearchQuery(price_max=60)).total == 1
    webhooks.product_changed(
        event_type="product_updated", payload={"product": product_payload(listing)}, installation=None
    )
    assert SearchDocument.objects.get(listing=listing).price_fen == 5900  # a rewrite keeps Saleor's price


def test_a_deleted_product_leaves_the_index_and_others_products_are_ignored():
    listing = on_sale(active_unit(), name_zh="铜镜纹杯垫")
    stranger = {"id": "UHJvZHVjdDox", "metadata": [], "externalReference": None}

    webhooks.product_changed(event_type="product_updated", payload={"product": stranger}, installation=None)
    webhooks.product_changed(
        event_type="product_deleted", payload={"product": product_payload(listing)}, installation=None
    )

    assert search(SearchQuery(text="杯垫")).total == 0


def test_a_paid_order_recounts_best_selling_and_a_cancelled_one_counts_nothing():
    unit = active_unit()
    first, second = on_sale(unit, name_zh="书签甲"), on_sale(unit, name_zh="书签乙")
    sku = first.variants.get().sku
    order = paid_order("T3JkZXI6Mg==", sku, 3)
    payload = {"order": {"lines": [{"productSku": sku, "quantity": 3}]}}

    webhooks.order_changed(event_type="order_fully_paid", payload=payload, installation=None)
    assert names(search(SearchQuery(text="书签", sort="bestselling"))) == ["书签甲", "书签乙"]
    Order.objects.filter(pk=order.pk).update(status="CANCELED")
    webhooks.order_changed(event_type="order_cancelled", payload=payload, installation=None)

    assert SearchDocument.objects.get(listing=first).sold == 0
    assert SearchDocument.objects.get(listing=second).sold == 0
