"""Attributes in Saleor: created with their values, assigned to the product type once, set and cleared."""

from __future__ import annotations

import pytest
import respx

from catalog import listings, taxonomy
from catalog.saleor_sync import listing_sync
from tests.catalog.factories import WAREHOUSE_ID, active_unit, make_listing
from tests.catalog.fake_saleor import API_URL, CatalogFakeSaleor
from tests.catalog.test_attributes import AUTHOR, ERA, ISBN, LENGTH, MATERIAL, approve
from tests.factories import SaleorInstallationFactory
from tests.unit_onboarding.factories import operator_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return active_unit("三峡博物馆", warehouse_id=WAREHOUSE_ID)


@pytest.fixture
def operator(unit):
    return operator_of(unit)


@pytest.fixture
def saleor():
    SaleorInstallationFactory()
    fake = CatalogFakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API_URL).mock(side_effect=fake.handle)
        yield fake


def test_attributes_arrive_in_saleor_and_an_edit_updates_them_without_duplicates(saleor, unit, operator):
    listing = make_listing(unit, operator, attributes={MATERIAL: "bronze", LENGTH: "12"})
    listings.listing_submit(listing=listing, actor=operator)
    listing = approve(listing)

    assert listing_sync(listing_id=listing.pk) == "done"

    product = saleor.only_product()
    assert product["attributes"] == {MATERIAL: "铜", LENGTH: "12"}
    goods = saleor.product_types["wenchuang-goods"]
    assert {saleor.attributes[slug]["id"] for slug in (MATERIAL, ERA, LENGTH)} == set(
        saleor.type_attributes[goods]
    )
    assert saleor.attributes[LENGTH]["unit"] == "CM"
    assert {v["name"] for v in saleor.attributes[MATERIAL]["values"]} >= {"铜", "陶瓷", "丝绸"}

    listings.listing_update(
        listing=listing, data={"attributes": {MATERIAL: "jade", ERA: "ming"}}, actor=operator
    )
    listing = approve(listing)
    assert listing_sync(listing_id=listing.pk) == "done"
    assert listing_sync(listing_id=listing.pk) == "done"

    assert saleor.only_product()["attributes"] == {MATERIAL: "玉石", ERA: "明"}  # the length was cleared
    assert saleor.calls.count("CatalogAttributeCreate") == 3
    assert saleor.calls.count("CatalogProductTypeAttributesAssign") == 1
    assert "CatalogAttributeValuesAdd" not in saleor.calls
    assert len(saleor.type_attributes[goods]) == 3


def test_a_choice_added_to_the_taxonomy_is_added_to_the_saleor_attribute(saleor, unit, operator, monkeypatch):
    listing = make_listing(unit, operator)
    listings.listing_submit(listing=listing, actor=operator)
    listing = approve(listing)
    listing_sync(listing_id=listing.pk)

    material = taxonomy.ATTRIBUTES[MATERIAL]
    richer = taxonomy.Attribute(
        **{**material.__dict__, "choices": (*material.choices, ("gold", "金", "Gold"))}
    )
    monkeypatch.setitem(taxonomy.ATTRIBUTES, MATERIAL, richer)
    listings.listing_update(listing=listing, data={"attributes": {MATERIAL: "gold"}}, actor=operator)
    listing = approve(listing)

    assert listing_sync(listing_id=listing.pk) == "done"
    assert saleor.calls.count("CatalogAttributeValuesAdd") == 1
    assert saleor.only_product()["attributes"] == {MATERIAL: "金"}


def test_a_book_carries_its_own_attributes(saleor, unit, operator):
    listing = make_listing(
        unit,
        operator,
        category="wenchuang-books-prints",
        product_type="wenchuang-book",
        attributes={AUTHOR: "常璩", ISBN: "9787229000011", MATERIAL: "paper"},
    )
    listings.listing_submit(listing=listing, actor=operator)
    listing = approve(listing)

    assert listing_sync(listing_id=listing.pk) == "done"

    assert saleor.only_product()["attributes"] == {AUTHOR: "常璩", ISBN: "9787229000011"}
    book = saleor.product_types["wenchuang-book"]
    assert len(saleor.type_attributes[book]) == len(taxonomy.PRODUCT_TYPE_ATTRIBUTES["wenchuang-book"])
