"""Sync to Saleor (an in-memory Saleor at the HTTP edge): only approved content, idempotent, retry-safe."""

from __future__ import annotations

import json

import pytest

from catalog import listings, taxonomy
from catalog import saleor_metadata as meta
from catalog.models import Listing
from catalog.saleor_sync import SyncNotPossible, listing_sync
from saleor_app.errors import SaleorError, SaleorUnavailable
from tests.catalog.factories import WAREHOUSE_ID, active_unit, curator, make_listing, variant
from tests.catalog.fake_saleor import CHANNEL_ID
from tests.db_sessions import connection_params
from tests.unit_onboarding.factories import operator_of

pytestmark = pytest.mark.django_db


def approved(listing, operator):
    listings.listing_submit(listing=listing, actor=operator)
    listings.listing_review(listing=listing, approve=True, reviewer=curator())
    listing.refresh_from_db()
    return listing


def test_an_approved_listing_arrives_with_variants_stock_media_metadata_and_translation(
    saleor, unit, operator
):
    listing = approved(make_listing(unit, operator, skus=("MR-1", "MR-2"), images=3), operator)

    assert listing_sync(listing_id=listing.pk) == "done"

    product = saleor.only_product()
    assert product["name"] == "青铜镜书签"
    assert product["slug"] == listing.slug
    assert product["externalReference"] == listing.external_reference
    assert json.loads(product["description"])["blocks"][1]["data"]["text"] == "黄铜蚀刻。"
    assert product["translations"]["EN"]["name"] == "Bronze mirror bookmark"
    assert saleor.prices(product) == {"MR-1": 12800, "MR-2": 12800}
    assert [v["name_en"] for v in product["variants"]] == ["Style MR-1", "Style MR-2"]
    assert [(s["warehouse"], s["quantity"]) for v in product["variants"] for s in v["stocks"]] == [
        (WAREHOUSE_ID, 10),
        (WAREHOUSE_ID, 10),
    ]
    assert len(product["media"]) == 3
    assert all(m["bytes"][:4] == b"RIFF" and m["bytes"][8:12] == b"WEBP" for m in product["media"])
    assert product["metadata"][meta.UNIT_ID] == str(unit.pk)
    assert product["metadata"][meta.LISTING_ID] == str(listing.pk)
    assert product["metadata"][meta.UNIT_NAME_ZH] == "三峡博物馆"
    assert product["channelListings"] == [{"channel": CHANNEL_ID, "isPublished": False}]
    listing.refresh_from_db()
    assert listing.sync_status == Listing.Sync.DONE
    assert listing.saleor_product_id == product["id"]
    assert set(listing.saleor_variant_ids) == {"MR-1", "MR-2"}
    assert len(listing.saleor_media_ids) == 3


def test_a_draft_or_pending_listing_is_never_pushed(saleor, unit, operator):
    listing = make_listing(unit, operator)
    listings.listing_submit(listing=listing, actor=operator)

    assert listing_sync(listing_id=listing.pk) == "idle"
    assert saleor.products == {}


def test_the_old_price_stays_live_until_the_new_one_is_approved(saleor, unit, operator):
    listing = approved(make_listing(unit, operator, skus=("PR-1", "PR-2")), operator)
    listings.listing_publish(listing=listing, on_sale=True)
    listing_sync(listing_id=listing.pk)

    # when the price is raised and stock changed, the push (for stock) keeps the approved price
    listings.listing_update(
        listing=listing,
        data={},
        variants=[variant("PR-1", price_fen=15800, stock=3), variant("PR-2")],
        actor=operator,
    )
    listing_sync(listing_id=listing.pk)
    product = saleor.only_product()
    assert saleor.prices(product) == {"PR-1": 12800, "PR-2": 12800}
    assert product["variants"][0]["stocks"][0]["quantity"] == 3
    assert product["channelListings"][0]["isPublished"] is True

    # when the curator approves it, the new price is in Saleor
    listings.listing_review(listing=listing, approve=True, reviewer=curator())
    listing_sync(listing_id=listing.pk)
    assert saleor.prices(saleor.only_product()) == {"PR-1": 15800, "PR-2": 12800}


def test_syncing_again_creates_nothing_and_lost_ids_are_found_by_external_reference(saleor, unit, operator):
    listing = approved(make_listing(unit, operator, images=2), operator)
    listing_sync(listing_id=listing.pk)
    calls_before = len(saleor.uploads)

    Listing.objects.filter(pk=listing.pk).update(
        saleor_product_id="", saleor_variant_ids={}, saleor_media_ids={}
    )
    listing_sync(listing_id=listing.pk)
    listing_sync(listing_id=listing.pk)

    product = saleor.only_product()
    assert len(product["variants"]) == 2
    assert len(product["media"]) == 2
    assert len(saleor.uploads) == calls_before
    assert "CatalogProductCreate" in saleor.calls and saleor.calls.count("CatalogProductCreate") == 1


def test_removed_variants_and_images_leave_saleor_after_approval(saleor, unit, operator):
    listing = approved(make_listing(unit, operator, skus=("RM-1", "RM-2"), images=2), operator)
    listing_sync(listing_id=listing.pk)

    listings.listing_image_remove(image=listing.images.first(), actor=operator)
    listings.listing_update(listing=listing, data={}, variants=[variant("RM-2")], actor=operator)
    listings.listing_review(listing=listing, approve=True, reviewer=curator())
    listing_sync(listing_id=listing.pk)

    product = saleor.only_product()
    assert [v["sku"] for v in product["variants"]] == ["RM-2"]
    assert len(product["media"]) == 1


def test_an_outage_marks_the_sync_failed_and_a_retry_completes_it(saleor, unit, operator):
    listing = approved(make_listing(unit, operator), operator)
    saleor.fail_on = "CatalogVariantsCreate"

    with pytest.raises(SaleorUnavailable):
        listing_sync(listing_id=listing.pk)
    listing.refresh_from_db()
    assert listing.sync_status == Listing.Sync.FAILED
    assert "CatalogVariantsCreate" in listing.sync_error

    assert listing_sync(listing_id=listing.pk) == "done"
    assert len(saleor.only_product()["variants"]) == 2


def test_a_channel_in_another_currency_is_refused_clearly(saleor, unit, operator):
    listing = approved(make_listing(unit, operator), operator)
    saleor.currency = "USD"

    with pytest.raises(SyncNotPossible, match="sells in USD, the listing in CNY"):
        listing_sync(listing_id=listing.pk)
    assert saleor.products == {}


def test_a_unit_without_a_warehouse_is_not_pushed(saleor, operator):
    unit = active_unit("no warehouse", warehouse_id="")
    listing = approved(make_listing(unit, operator_of(unit)), operator)

    with pytest.raises(SyncNotPossible, match="no Saleor warehouse"):
        listing_sync(listing_id=listing.pk)


def test_a_second_push_of_the_same_listing_waits_for_the_first(saleor, unit, operator):
    import psycopg

    from catalog.saleor_sync import SyncBusy
    from catalog.saleor_sync.locks import LOCK_NAMESPACE

    listing = approved(make_listing(unit, operator), operator)
    # another worker's session holds the listing's lock
    other = psycopg.connect(**connection_params(), autocommit=True)
    try:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, listing.pk])

        with pytest.raises(SyncBusy):
            listing_sync(listing_id=listing.pk)
        assert saleor.products == {}
        other.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, listing.pk])
    finally:
        other.close()  # closing alone releases the lock only once the server notices
    assert listing_sync(listing_id=listing.pk) == "done"


def test_the_beat_job_finds_lost_failed_and_abandoned_pushes_with_backoff(unit, operator):
    from datetime import timedelta

    from django.utils import timezone

    from catalog.saleor_sync import listings_due_for_sync

    now = timezone.now()
    lost, fresh, failed_due, failed_waiting, abandoned = (
        approved(make_listing(unit, operator), operator) for _ in range(5)
    )
    Listing.objects.filter(pk=lost.pk).update(
        sync_status="pending", sync_requested_at=now - timedelta(minutes=5)
    )
    Listing.objects.filter(pk=fresh.pk).update(sync_status="pending", sync_requested_at=now)
    Listing.objects.filter(pk=failed_due.pk).update(
        sync_status="failed", sync_attempts=1, sync_attempted_at=now - timedelta(minutes=3)
    )
    Listing.objects.filter(pk=failed_waiting.pk).update(
        sync_status="failed", sync_attempts=3, sync_attempted_at=now - timedelta(minutes=3)
    )
    Listing.objects.filter(pk=abandoned.pk).update(
        sync_status="syncing", sync_attempted_at=now - timedelta(hours=1)
    )

    assert listings_due_for_sync() == sorted([lost.pk, failed_due.pk, abandoned.pk])


def test_the_category_gets_its_english_name_once_and_a_dashboard_one_is_kept(saleor, unit, operator):
    listing = approved(make_listing(unit, operator), operator)
    slug = listing.live_revision.content["category"]
    name_en = taxonomy.CATEGORIES[slug][1]

    listing_sync(listing_id=listing.pk)
    listing_sync(listing_id=listing.pk)

    category_id = saleor.categories[slug]
    assert saleor.category_names_en == {category_id: name_en}
    assert saleor.calls.count("CatalogCategoryTranslate") == 1  # the second push found it translated

    # a category made earlier without an English name gets one; a name set in the Dashboard stays
    saleor.category_names_en.clear()
    listing_sync(listing_id=listing.pk)
    assert saleor.category_names_en == {category_id: name_en}
    saleor.category_names_en[category_id] = "Stationery & paper"
    listing_sync(listing_id=listing.pk)
    assert saleor.category_names_en == {category_id: "Stationery & paper"}
    assert saleor.calls.count("CatalogCategoryTranslate") == 2


def test_images_go_up_four_to_a_request_and_are_marked_four_to_a_request(saleor, unit, operator):
    listing = approved(make_listing(unit, operator, images=5), operator)

    assert listing_sync(listing_id=listing.pk) == "done"

    listing.refresh_from_db()
    media = saleor.only_product()["media"]
    assert [m["private"]["wenchuang.asset"] for m in media] == [
        i["asset"] for i in listing.live_revision.content["images"]
    ]
    assert listing.saleor_media_ids == {m["private"]["wenchuang.asset"]: m["id"] for m in media}
    assert saleor.calls.count("CatalogMediaCreateBatch") == 2  # 4 + 1
    assert saleor.calls.count("PrivateMetadataUpdateBatch") == 2


def test_an_image_left_unmarked_is_known_by_its_recorded_id_and_never_uploaded_twice(saleor, unit, operator):
    listing = approved(make_listing(unit, operator, images=2), operator)
    refused = {"field": "id", "code": "NOT_FOUND", "message": "refused by the test"}

    def refuse_the_second(v):
        del saleor.op_PrivateMetadataUpdateBatch  # once: the class's handler answers the retry
        answer = type(saleor).op_PrivateMetadataUpdateBatch(saleor, {**v, "with2": False})
        return answer | {"update2": {"errors": [refused]}}

    saleor.op_PrivateMetadataUpdateBatch = refuse_the_second
    with pytest.raises(SaleorError, match="refused by the test"):
        listing_sync(listing_id=listing.pk)
    listing.refresh_from_db()
    assert listing.sync_status == Listing.Sync.FAILED and "refused by the test" in listing.sync_error
    assert len(listing.saleor_media_ids) == 2  # both uploads recorded, the unmarked one too

    assert listing_sync(listing_id=listing.pk) == "done"
    media = saleor.only_product()["media"]
    assert len(media) == len(saleor.uploads) == 2
    listing.refresh_from_db()
    assert listing.saleor_media_ids == {
        i["asset"]: m["id"] for i, m in zip(listing.live_revision.content["images"], media, strict=True)
    }


def test_an_outage_while_marking_loses_no_uploaded_image(saleor, unit, operator):
    listing = approved(make_listing(unit, operator, images=2), operator)
    saleor.fail_on = "PrivateMetadataUpdateBatch"  # Saleor answers 503 once, after both uploads

    with pytest.raises(SaleorUnavailable):
        listing_sync(listing_id=listing.pk)
    listing.refresh_from_db()
    assert listing.sync_status == Listing.Sync.FAILED
    assert len(listing.saleor_media_ids) == 2  # both uploads recorded though neither is marked

    assert listing_sync(listing_id=listing.pk) == "done"
    assert len(saleor.only_product()["media"]) == len(saleor.uploads) == 2


def test_an_outage_while_uploading_fails_the_push_and_the_retry_uploads_each_image_once(
    saleor, unit, operator
):
    listing = approved(make_listing(unit, operator, images=6), operator)  # two upload requests: 4 + 2
    saleor.fail_on = "CatalogMediaCreateBatch"  # Saleor answers 503 once, to the first upload request

    with pytest.raises(SaleorUnavailable):
        listing_sync(listing_id=listing.pk)
    listing.refresh_from_db()
    assert listing.sync_status == Listing.Sync.FAILED

    assert listing_sync(listing_id=listing.pk) == "done"
    assert len(saleor.only_product()["media"]) == len(saleor.uploads) == 6
