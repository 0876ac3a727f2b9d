"""Against the live Saleor: twenty listings approved together go out in bulk; two rows Saleor refuses (SKUs it
already holds) fail with their reason and the other eighteen are live with variants, stock and price.
"""

from __future__ import annotations

import uuid

import pytest

from catalog import listings
from catalog.models import Listing
from catalog.saleor_sync import listings_sync_bulk, sync_batch
from tests.catalog.factories import curator, make_listing
from tests.catalog.test_sync_live import live_installation, prices, saleor_product  # noqa: F401
from tests.live_saleor import StaffSession, gql
from tests.live_shop import own_product
from tests.unit_onboarding.factories import operator_of, provisioned_unit

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db]

DELETE = "mutation($ids: [ID!]!) { productBulkDelete(ids: $ids) { errors { message } } }"


@pytest.fixture
def unit(saleor_api_url, staff_token, live_installation, own_channel):  # noqa: F811
    unit = provisioned_unit(display_name="批量实况博物馆")
    yield unit
    ids = [
        p["id"]
        for listing in Listing.objects.filter(unit=unit)
        if (p := gql(saleor_api_url, staff_token, PRODUCT_ID, ref=listing.external_reference)["product"])
    ]
    if ids:
        gql(saleor_api_url, staff_token, DELETE, ids=ids)
    gql(
        saleor_api_url,
        staff_token,
        "mutation($id: ID!) { deleteWarehouse(id: $id) { errors { message } } }",
        id=unit.saleor_warehouse_id,
    )


PRODUCT_ID = "query($ref: String!) { product(externalReference: $ref) { id } }"


def test_twenty_listings_go_out_in_bulk_and_two_bad_rows_fail_with_their_reason(
    saleor_api_url, staff_token, unit, django_capture_on_commit_callbacks
):
    staff = StaffSession(saleor_api_url)
    operator = operator_of(unit)
    tag = uuid.uuid4().hex[:6].upper()
    with own_product(staff) as first, own_product(staff) as second:
        taken = {3: first.slug, 11: second.slug}  # SKUs Saleor already holds, made in its Dashboard
        made = []
        for i in range(20):
            skus = (f"BLK-{tag}-{i}-S", taken.get(i, f"BLK-{tag}-{i}-L"))
            listing = make_listing(unit, operator, skus=skus, images=1 if i < 2 else 0)
            listings.listing_submit(listing=listing, actor=operator)
            made.append(listing)

        reviewer = curator()
        with django_capture_on_commit_callbacks(execute=True), sync_batch():
            for listing in made:
                listings.listing_review(listing=listing, approve=True, reviewer=reviewer)
                listings.listing_publish(listing=listing, on_sale=True)

        statuses = dict(Listing.objects.filter(unit=unit).values_list("pk", "sync_status"))
        bad = {made[3].pk, made[11].pk}
        assert {pk for pk, status in statuses.items() if status == Listing.Sync.DONE} == {
            m.pk for m in made
        } - bad
        for pk in bad:
            listing = Listing.objects.get(pk=pk)
            assert listing.sync_status == Listing.Sync.FAILED
            assert "sku" in listing.sync_error.lower() and "UNIQUE" in listing.sync_error, listing.sync_error
            assert saleor_product(saleor_api_url, staff_token, listing) is None

        live = [saleor_product(saleor_api_url, staff_token, m) for m in made if m.pk not in bad]
        assert all(p is not None for p in live)
        assert all(p["translation"]["name"] == "Bronze mirror bookmark" for p in live)
        assert all(sorted(prices(p).values()) == [12800, 12800] for p in live)
        assert all([s["quantity"] for v in p["variants"] for s in v["stocks"]] == [10, 10] for p in live)
        assert [len(p["media"]) for p in live[:2]] == [1, 1]

        # pushed again (a retry): the same products are updated, none made twice
        outcomes = listings_sync_bulk(listing_ids=[m.pk for m in made if m.pk not in bad])
        assert set(outcomes.values()) == {Listing.Sync.DONE}
        again = [saleor_product(saleor_api_url, staff_token, m) for m in made if m.pk not in bad]
        assert [p["id"] for p in again] == [p["id"] for p in live]
        assert [len(p["media"]) for p in again[:2]] == [1, 1]
