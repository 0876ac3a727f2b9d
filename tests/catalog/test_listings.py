"""Listing lifecycle: drafts, review of every content edit, trusted units, publishing, archiving."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from catalog import listings
from catalog.error_codes import CatalogError, CatalogErrorCode
from catalog.models import Listing, ListingRevision
from tests.catalog.factories import active_unit, curator, make_listing, variant

pytestmark = pytest.mark.django_db
S = Listing.State


@pytest.fixture
def unit():
    return active_unit("三峡博物馆")


def test_a_new_listing_is_a_draft_until_submitted_and_then_waits_for_a_curator(unit, operator):
    listing = make_listing(unit, operator)
    assert listing.state == S.DRAFT

    listings.listing_submit(listing=listing, actor=operator)

    listing.refresh_from_db()
    assert listing.state == S.PENDING_REVIEW
    assert listing.live_revision is None
    assert listing.pending_revision.content["variants"][0]["price_fen"] == 12800
    with pytest.raises(CatalogError) as refused:
        listings.listing_publish(listing=listing, on_sale=True)
    assert refused.value.code == CatalogErrorCode.NOT_APPROVED


def test_approval_makes_the_revision_live_and_a_price_edit_returns_to_review_keeping_the_old_price(
    unit, operator
):
    listing = make_listing(unit, operator, skus=("P-1", "P-2"))
    listings.listing_submit(listing=listing, actor=operator)
    listings.listing_review(listing=listing, approve=True, reviewer=curator())
    listings.listing_publish(listing=listing, on_sale=True)
    listing.refresh_from_db()
    assert listing.state == S.PUBLISHED
    first_live = listing.live_revision

    # when the operator raises a price
    listings.listing_update(
        listing=listing, data={}, variants=[variant("P-1", price_fen=15800), variant("P-2")], actor=operator
    )

    # then the edit waits for review and the live content keeps the old price
    listing.refresh_from_db()
    assert listing.state == S.PENDING_REVIEW
    assert listing.on_sale
    assert listing.live_revision == first_live
    assert listing.live_revision.content["variants"][0]["price_fen"] == 12800
    assert listing.pending_revision.content["variants"][0]["price_fen"] == 15800

    # when the curator approves, the new price is live and it is published again
    listings.listing_review(listing=listing, approve=True, reviewer=curator())
    listing.refresh_from_db()
    assert listing.state == S.PUBLISHED
    assert listing.live_revision.content["variants"][0]["price_fen"] == 15800


def test_a_stock_only_change_needs_no_review(unit, operator):
    listing = make_listing(unit, operator, skus=("S-1",))
    listings.listing_submit(listing=listing, actor=operator)
    listings.listing_review(listing=listing, approve=True, reviewer=curator())

    listings.listing_update(listing=listing, data={}, variants=[variant("S-1", stock=99)], actor=operator)

    listing.refresh_from_db()
    assert listing.state == S.APPROVED
    assert listing.revisions.count() == 1
    assert listing.variants.get().stock == 99


def test_a_rejection_needs_a_reason_and_the_operator_can_resubmit(unit, operator):
    listing = make_listing(unit, operator)
    listings.listing_submit(listing=listing, actor=operator)
    reviewer = curator()

    with pytest.raises(CatalogError) as refused:
        listings.listing_review(listing=listing, approve=False, reviewer=reviewer, reason="  ")
    assert refused.value.code == CatalogErrorCode.REASON_REQUIRED

    listings.listing_review(listing=listing, approve=False, reviewer=reviewer, reason="图片不清晰")
    listing.refresh_from_db()
    assert listing.state == S.REJECTED
    assert listing.revisions.get().reason == "图片不清晰"

    listings.listing_update(listing=listing, data={"name_zh": "青铜镜书签 新版"}, actor=operator)
    listing.refresh_from_db()
    assert listing.state == S.PENDING_REVIEW
    assert [r.status for r in listing.revisions.all()] == ["submitted", "rejected"]


def test_a_newer_edit_withdraws_the_one_still_waiting(unit, operator):
    listing = make_listing(unit, operator)
    listings.listing_submit(listing=listing, actor=operator)

    listings.listing_update(listing=listing, data={"name_en": "Mirror bookmark"}, actor=operator)

    statuses = list(ListingRevision.objects.filter(listing=listing).values_list("number", "status"))
    assert statuses == [(2, "submitted"), (1, "withdrawn")]


def test_a_trusted_unit_skips_review(unit, operator):
    listings.unit_review_exempt_set(unit=unit, exempt=True)
    listing = make_listing(unit, operator)

    listings.listing_submit(listing=listing, actor=operator)

    listing.refresh_from_db()
    assert listing.state == S.APPROVED
    assert listing.live_revision.review_exempt
    assert listing.live_revision.reviewed_by is None


def test_an_incomplete_listing_cannot_be_submitted(unit, operator):
    listing = listings.listing_create(unit=unit, data={"name_zh": "草稿"}, variants=[], actor=operator)

    with pytest.raises(CatalogError) as refused:
        listings.listing_submit(listing=listing, actor=operator)

    assert refused.value.code == CatalogErrorCode.LISTING_INCOMPLETE
    assert "variants" in refused.value.message and "category" in refused.value.message


def test_a_sku_is_unique_across_units(unit, operator):
    make_listing(unit, operator, skus=("DUP-1",))
    other = active_unit("other")

    with pytest.raises(CatalogError) as refused:
        make_listing(other, skus=("DUP-1",))

    assert refused.value.code == CatalogErrorCode.SKU_TAKEN


def test_archiving_takes_it_off_sale_and_freezes_it(unit, operator):
    listing = make_listing(unit, operator)
    listings.listing_submit(listing=listing, actor=operator)
    listings.listing_review(listing=listing, approve=True, reviewer=curator())
    listings.listing_publish(listing=listing, on_sale=True)

    listings.listing_archive(listing=listing, actor=operator)

    listing.refresh_from_db()
    assert (listing.state, listing.on_sale) == (S.ARCHIVED, False)
    with pytest.raises(CatalogError):
        listings.listing_update(listing=listing, data={"name_zh": "x"}, actor=operator)


def test_the_database_refuses_a_listing_on_sale_without_approved_content(unit, operator):
    listing = make_listing(unit, operator)

    with pytest.raises(IntegrityError):
        Listing.objects.filter(pk=listing.pk).update(on_sale=True)


def test_review_of_nothing_is_refused(unit, operator):
    listing = make_listing(unit, operator)

    with pytest.raises(CatalogError) as refused:
        listings.listing_review(listing=listing, approve=True, reviewer=curator())

    assert refused.value.code == CatalogErrorCode.NOTHING_TO_REVIEW


def test_a_stock_change_while_an_edit_waits_keeps_that_edit_queued(unit, operator):
    listing = make_listing(unit, operator, skus=("Q-1",))
    listings.listing_submit(listing=listing, actor=operator)
    waiting = Listing.objects.get(pk=listing.pk).pending_revision

    listings.listing_update(listing=listing, data={}, variants=[variant("Q-1", stock=1)], actor=operator)

    listing.refresh_from_db()
    assert listing.pending_revision == waiting
    assert listing.revisions.count() == 1
