"""Bulk push to Saleor (an in-memory Saleor at the HTTP edge): chunks, a bad row fails alone, retry-safe."""

from __future__ import annotations

import pytest

from catalog import listings
from catalog.models import Listing
from catalog.saleor_sync import listings_sync_bulk, sync_batch
from tests.catalog.factories import active_unit, curator, make_listing
from tests.unit_onboarding.factories import operator_of

pytestmark = pytest.mark.django_db


def approved_listings(unit, count: int, *, images: int = 0, prefix: str = "BK") -> list[Listing]:
    operator = operator_of(unit)
    reviewer = curator()
    made = []
    for i in range(count):
        listing = make_listing(unit, operator, skus=(f"{prefix}{i}-S", f"{prefix}{i}-L"), images=images)
        listings.listing_submit(listing=listing, actor=operator)
        listings.listing_review(listing=listing, approve=True, reviewer=reviewer)
        listing.refresh_from_db()
        made.append(listing)
    return made


def test_listings_are_created_in_chunks_with_variants_stock_channel_translations_and_media(saleor, unit):
    made = approved_listings(unit, 5)
    with_images = approved_listings(unit, 1, images=2, prefix="IMG")[0]

    outcomes = listings_sync_bulk(listing_ids=[m.pk for m in [*made, with_images]], chunk_size=2)

    assert outcomes == {m.pk: "done" for m in [*made, with_images]}
    assert saleor.calls.count("CatalogProductsBulkCreate") == 3
    assert "CatalogProductCreate" not in saleor.calls and "CatalogVariantsCreate" not in saleor.calls
    assert len(saleor.products) == 6
    for listing in [*made, with_images]:
        listing.refresh_from_db()
        assert listing.sync_status == Listing.Sync.DONE
        product = saleor.products[listing.saleor_product_id]
        assert product["slug"] == listing.slug
        assert set(listing.saleor_variant_ids) == {v["sku"] for v in product["variants"]}
        assert {v["sku"]: v["stocks"][0]["quantity"] for v in product["variants"]} == {
            sku: 10 for sku in listing.saleor_variant_ids
        }
        assert saleor.prices(product) == {sku: 12800 for sku in listing.saleor_variant_ids}
        assert product["translations"]["EN"]["name"] == "Bronze mirror bookmark"
        assert {v["name_en"] for v in product["variants"]} == {
            f"Style {sku}" for sku in listing.saleor_variant_ids
        }
        assert listing.synced_revision_id == listing.live_revision_id
        assert listing.synced_fingerprint["variants_updated_at"]
    product = saleor.products[with_images.saleor_product_id]
    assert len(product["media"]) == 2
    assert set(with_images.saleor_media_ids) == {m["private"]["wenchuang.asset"] for m in product["media"]}


def test_a_row_saleor_rejects_fails_its_own_listing_with_the_reason_and_the_rest_go_live(saleor, unit):
    made = approved_listings(unit, 4)
    # A SKU Saleor already holds (a product made in the Dashboard) for the third listing.
    saleor.products["outside"] = {
        "id": "outside",
        "slug": "outside",
        "externalReference": None,
        "variants": [{"id": "v-outside", "sku": "BK2-L", "updatedAt": "2026-11-27T10:00:00+00:00"}],
    }

    outcomes = listings_sync_bulk(listing_ids=[m.pk for m in made])

    assert outcomes == {made[0].pk: "done", made[1].pk: "done", made[2].pk: "failed", made[3].pk: "done"}
    bad = Listing.objects.get(pk=made[2].pk)
    assert bad.sync_status == Listing.Sync.FAILED
    assert bad.sync_error == "variants.1.sku: SKU exists (UNIQUE)"
    assert bad.saleor_product_id == ""
    assert Listing.objects.filter(pk__in=[m.pk for m in made], sync_status=Listing.Sync.DONE).count() == 3


def test_a_retry_updates_what_was_pushed_and_creates_nothing_twice(saleor, unit):
    made = approved_listings(unit, 3)
    listings_sync_bulk(listing_ids=[m.pk for m in made])
    # The answer of the first create was lost for one listing: Saleor has its product, we have no id.
    Listing.objects.filter(pk=made[0].pk).update(saleor_product_id="", saleor_variant_ids={})
    saleor.calls.clear()

    outcomes = listings_sync_bulk(listing_ids=[m.pk for m in made])

    assert outcomes == {m.pk: "done" for m in made}
    assert len(saleor.products) == 3
    assert "CatalogProductsBulkCreate" not in saleor.calls and "CatalogProductCreate" not in saleor.calls
    assert saleor.calls.count("CatalogProductUpdate") == 3
    lost = Listing.objects.get(pk=made[0].pk)
    assert lost.saleor_product_id == saleor.product_by_slug(lost.slug)["id"]
    assert set(lost.saleor_variant_ids) == {"BK0-S", "BK0-L"}


def test_pushes_asked_for_inside_a_batch_go_in_one_bulk_task(
    saleor, unit, django_capture_on_commit_callbacks
):
    operator = operator_of(unit)
    made = [make_listing(unit, operator, skus=(f"BT{i}-S",)) for i in range(3)]
    for listing in made:
        listings.listing_submit(listing=listing, actor=operator)

    with django_capture_on_commit_callbacks(execute=True), sync_batch():
        for listing in made:
            listings.listing_review(listing=listing, approve=True, reviewer=curator())

    assert saleor.calls.count("CatalogProductsBulkCreate") == 1
    assert "CatalogProductCreate" not in saleor.calls  # no one-by-one push besides
    assert set(Listing.objects.filter(pk__in=[m.pk for m in made]).values_list("sync_status", flat=True)) == {
        "done"
    }


def test_a_listing_that_cannot_be_pushed_yet_fails_alone_before_the_chunk_goes_out(saleor, unit):
    made = approved_listings(unit, 2)
    unprovisioned = approved_listings(active_unit("未开仓馆", warehouse_id=""), 1, prefix="NW")[0]

    outcomes = listings_sync_bulk(listing_ids=[made[0].pk, unprovisioned.pk, made[1].pk])

    assert outcomes == {made[0].pk: "done", unprovisioned.pk: "failed", made[1].pk: "done"}
    assert "has no Saleor warehouse yet" in Listing.objects.get(pk=unprovisioned.pk).sync_error
    assert saleor.calls.count("CatalogProductsBulkCreate") == 1
    assert len(saleor.products) == 2
