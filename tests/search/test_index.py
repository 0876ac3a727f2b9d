"""The index follows the catalog in the same transaction: on sale is findable, anything else never is."""

from __future__ import annotations

import pytest
from django.db import transaction

from catalog import index_hooks, listings, provenance
from catalog.models import Listing
from search import services
from search.models import SearchDocument, SearchTerm
from search.selectors import SearchQuery, search
from tests.catalog.factories import curator
from tests.search.helpers import active_unit, names, on_sale
from tests.unit_onboarding.factories import operator_of
from unit_onboarding.models import Unit

pytestmark = pytest.mark.django_db


def found(text: str) -> list[str]:
    return names(search(SearchQuery(text=text)))


def test_a_listing_is_findable_in_the_transaction_that_puts_it_on_sale_and_not_before():
    unit = active_unit("三峡博物馆")
    listing = on_sale(unit, name_zh="铜镜纹杯垫", publish=False)
    assert found("杯垫") == []  # approved, not on sale

    with transaction.atomic():
        listings.listing_publish(listing=listing, on_sale=True, actor=operator_of(unit))
        assert found("杯垫") == ["铜镜纹杯垫"]  # written with the listing, before any commit
        transaction.set_rollback(True)

    assert found("杯垫") == []  # rolled back together
    assert not SearchDocument.objects.filter(listing=listing).exists()


def test_drafts_and_edits_waiting_for_review_are_never_searchable():
    unit = active_unit()
    operator = operator_of(unit)
    draft = listings.listing_create(
        unit=unit,
        data={"name_zh": "秘密草稿盲盒", "category": "wenchuang-toys", "product_type": "wenchuang-goods"},
        variants=[{"sku": "DRAFT-1", "price_fen": 100}],
        actor=operator,
    )
    published = on_sale(unit, name_zh="青花茶杯")

    listings.listing_update(listing=published, data={"name_zh": "未审核新名字茶杯"}, actor=operator)

    assert found("盲盒") == [] and found("秘密") == []
    assert found("未审核") == []  # the working copy waits for review: buyers see the approved name
    assert found("青花") == ["青花茶杯"]
    assert Listing.objects.get(pk=published.pk).state == Listing.State.PENDING_REVIEW
    assert not SearchDocument.objects.filter(listing=draft).exists()


def test_an_approved_edit_replaces_the_indexed_content():
    unit = active_unit()
    listing = on_sale(unit, name_zh="青花茶杯")
    operator = operator_of(unit)
    listings.listing_update(
        listing=listing, data={"name_zh": "粉彩茶杯", "description_zh": "粉彩茶杯"}, actor=operator
    )

    listings.listing_review(listing=listing, approve=True, reviewer=curator())

    assert found("粉彩") == ["粉彩茶杯"] and found("青花") == []


def test_off_sale_and_archived_listings_leave_the_index_and_the_vocabulary():
    unit = active_unit()
    one, two = on_sale(unit, name_zh="缠枝莲丝巾"), on_sale(unit, name_zh="缠枝莲团扇")
    assert SearchTerm.objects.get(term="缠枝莲").frequency == 2

    listings.listing_publish(listing=one, on_sale=False, actor=operator_of(unit))
    listings.listing_archive(listing=two, actor=operator_of(unit))

    assert found("缠枝莲") == []
    assert SearchTerm.objects.get(term="缠枝莲").frequency == 0  # never suggested again


def test_a_unit_that_is_no_longer_active_takes_its_products_out_of_search():
    unit = active_unit("红岩革命纪念馆")
    on_sale(unit, name_zh="红星徽章")
    unit.status = Unit.Status.REJECTED
    unit.save()

    assert services.units_stale_reindex() == 1
    assert found("红星") == []
    unit.status = Unit.Status.ACTIVE
    unit.save()
    assert services.units_stale_reindex() == 1
    assert found("红星") == ["红星徽章"]
    assert services.units_stale_reindex() == 0  # nothing changed since


def test_an_edited_collection_object_is_searchable_on_the_products_drawn_from_it():
    unit = active_unit()
    obj = provenance.collection_object_save(
        unit=unit, data={"accession_number": "SX-D-0003", "title_zh": "汉代四神铜镜", "era": "东汉"}
    )
    on_sale(unit, name_zh="文创书签", collection_object=obj, relation="adaptation")
    assert found("四神") == ["文创书签"] and found("SX-D-0003") == ["文创书签"]

    provenance.collection_object_save(unit=unit, obj=obj, data={"title_zh": "汉代规矩镜"})

    assert found("规矩镜") == ["文创书签"] and found("四神") == []


def test_the_catalog_names_its_indexer_by_path_and_calls_it_with_the_changed_ids(monkeypatch):
    calls = []
    monkeypatch.setattr(index_hooks, "LISTING_INDEXERS", ["tests.search.test_index.recording_indexer"])
    recording_indexer.calls = calls
    unit = active_unit()

    listing = on_sale(unit, name_zh="书签", publish=True)

    assert calls[-1] == [listing.pk]


def test_changes_inside_a_batch_are_indexed_together_at_its_end(monkeypatch):
    calls = []
    monkeypatch.setattr(index_hooks, "LISTING_INDEXERS", ["tests.search.test_index.recording_indexer"])
    recording_indexer.calls = calls
    unit = active_unit()

    with index_hooks.batch():
        first = on_sale(unit, name_zh="书签", publish=True)
        second = on_sale(unit, name_zh="丝巾", publish=True)
        assert calls == []  # nothing told one by one

    assert calls == [sorted([first.pk, second.pk])]


def test_a_batch_indexes_what_the_listings_are_at_its_end():
    unit = active_unit()

    with index_hooks.batch():
        on_sale(unit, name_zh="铜镜书签", publish=True)
        assert found("书签") == []  # not yet

    assert found("书签") == ["铜镜书签"]


def recording_indexer(*, listing_ids):
    recording_indexer.calls.append(listing_ids)
