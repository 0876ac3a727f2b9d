"""Attributes in Saleor: created with their values, assigned to the product type once, set and cleared."""

from __future__ import annotations

import pytest

from catalog import listings, taxonomy
from catalog.saleor_sync import listing_sync
from tests.catalog.factories import make_listing
from tests.catalog.test_attributes import AUTHOR, ERA, ISBN, LENGTH, MATERIAL, approve

pytestmark = pytest.mark.django_db


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
    gold = next(c for c in saleor.attributes[MATERIAL]["values"] if c["name"] == "金")
    assert gold["name_en"] == "Gold"  # the added value is translated too


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


def english_names(saleor) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        slug: (a.get("name_en"), {c["externalReference"]: c.get("name_en") for c in a["values"]})
        for slug, a in saleor.attributes.items()
    }


def test_attributes_and_their_values_get_their_english_names_once(saleor, unit, operator):
    listing = make_listing(unit, operator)
    listings.listing_submit(listing=listing, actor=operator)
    listing = approve(listing)

    assert listing_sync(listing_id=listing.pk) == "done"

    for slug in taxonomy.PRODUCT_TYPE_ATTRIBUTES["wenchuang-goods"]:
        attribute = taxonomy.ATTRIBUTES[slug]
        assert english_names(saleor)[slug] == (
            attribute.name_en,
            {attribute.choice_reference(value): en for value, _zh, en in attribute.choices},
        )
    translated = (
        saleor.calls.count("CatalogAttributeTranslate"),
        saleor.calls.count("CatalogAttributeValueTranslate"),
    )
    assert translated == (
        3,
        len(taxonomy.ATTRIBUTES[MATERIAL].choices) + len(taxonomy.ATTRIBUTES[ERA].choices),
    )

    calls = len(saleor.calls)
    assert listing_sync(listing_id=listing.pk) == "done"
    assert not {"CatalogAttributeTranslate", "CatalogAttributeValueTranslate"} & set(saleor.calls[calls:])


def test_an_english_translation_missing_or_changed_in_saleor_is_set_again(saleor, unit, operator):
    listing = make_listing(unit, operator)
    listings.listing_submit(listing=listing, actor=operator)
    listing = approve(listing)
    listing_sync(listing_id=listing.pk)
    saleor.attributes[LENGTH]["name_en"] = None  # e.g. created by a version that did not translate
    saleor.attributes[MATERIAL]["values"][0]["name_en"] = "Copper"
    calls = len(saleor.calls)

    assert listing_sync(listing_id=listing.pk) == "done"

    assert saleor.calls[calls:].count("CatalogAttributeTranslate") == 1
    assert saleor.calls[calls:].count("CatalogAttributeValueTranslate") == 1
    assert saleor.attributes[LENGTH]["name_en"] == "Size, longest side"
    assert saleor.attributes[MATERIAL]["values"][0]["name_en"] == "Bronze or brass"


def test_a_taxonomy_rename_reaches_saleor_once(saleor, unit, operator, monkeypatch):
    listing = make_listing(unit, operator)
    listings.listing_submit(listing=listing, actor=operator)
    listing = approve(listing)
    listing_sync(listing_id=listing.pk)

    material = taxonomy.ATTRIBUTES[MATERIAL]
    renamed = taxonomy.Attribute(
        **{
            **material.__dict__,
            "name_zh": "主要材质",
            "choices": (("bronze", "青铜", "Bronze"), *material.choices[1:]),
        }
    )
    monkeypatch.setitem(taxonomy.ATTRIBUTES, MATERIAL, renamed)
    calls = len(saleor.calls)

    assert listing_sync(listing_id=listing.pk) == "done"
    assert listing_sync(listing_id=listing.pk) == "done"

    pushed = saleor.calls[calls:]
    assert (pushed.count("CatalogAttributeRename"), pushed.count("CatalogAttributeValueRename")) == (1, 1)
    assert pushed.count("CatalogAttributeValueTranslate") == 1  # Bronze or brass -> Bronze
    assert "CatalogAttributeCreate" not in pushed and "CatalogAttributeValuesAdd" not in pushed
    assert saleor.attributes[MATERIAL]["name"] == "主要材质"
    bronze = saleor.attributes[MATERIAL]["values"][0]
    assert (bronze["externalReference"], bronze["name"], bronze["name_en"]) == (
        f"{MATERIAL}-bronze",
        "青铜",
        "Bronze",
    )
