"""Money formatting, product attributes, seller metadata, licence validity and the webhook handler fan-out."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.cache import cache
from django.utils import translation

from catalog import saleor_metadata as keys
from saleor_app.handlers import handlers_for
from storefront.attributes import attributes_shown
from storefront.catalog_cache import GENERATION, listing_key, product_cached, product_key
from storefront.money import money_format
from storefront.units import PLATFORM, group_by_seller, licence_in_force, seller_of
from storefront.webhooks import attribute_changed, product_changed


def test_cny_is_formatted_from_minor_units_for_each_language():
    price = {"currency": "CNY", "fractionalAmount": 128800, "fractionDigits": 2}

    assert money_format(price, language="zh-hans") == "¥1,288.00"
    assert money_format(price, language="en") == "CN¥1,288.00"
    assert (
        money_format({"currency": "CNY", "fractionalAmount": 1, "fractionDigits": 2}, language="zh-hans")
        == "¥0.01"
    )


def _attribute(name: str, en: str | None = None, unit: str | None = None) -> dict:
    return {"slug": name, "name": name, "unit": unit, "translation": {"name": en} if en else None}


# Saleor's assignedAttributes as StorefrontProduct asks for them (aliases by value type).
ASSIGNED = [
    {"attribute": _attribute("材质", "Material"), "choice": {"name": "铜", "en": "Bronze or brass"}},
    {"attribute": _attribute("源物年代"), "choice": {"name": "商周", "en": None}},  # no EN translation yet
    {"attribute": _attribute("最长边尺寸", "Size", unit="CM"), "number": 20.0},
    {"attribute": _attribute("重量", "Weight", unit="ACRE_IN"), "number": 1.25},  # a unit Babel lacks
    {"attribute": _attribute("作者", "Author"), "text": "王小青", "textEn": "Wang Xiaoqing"},
    {"attribute": _attribute("出版社", "Publisher"), "text": "重庆出版社", "textEn": None},
    {"attribute": _attribute("颜色", "Colours"), "choices": [{"name": "红", "en": "Red"}, {"name": "金"}]},
    {"attribute": _attribute("手工", "Handmade"), "flag": False},
    {"attribute": _attribute("ISBN"), "text": None, "textEn": None},  # empty: not shown
    {"attribute": _attribute("年代"), "choice": None},
    {"attribute": _attribute("最短边", unit="CM"), "number": None},
    {"attribute": _attribute("品牌")},  # a page reference: not shown
]


def test_attributes_read_in_chinese_with_units_empty_and_unshowable_ones_left_out():
    with translation.override("zh-hans"):
        shown = attributes_shown({"assignedAttributes": ASSIGNED}, "zh-hans")

    assert shown == [
        {"name": "材质", "values": ["铜"]},
        {"name": "源物年代", "values": ["商周"]},
        {"name": "最长边尺寸", "values": ["20厘米"]},
        {"name": "重量", "values": ["1.25 acre_in"]},
        {"name": "作者", "values": ["王小青"]},
        {"name": "出版社", "values": ["重庆出版社"]},
        {"name": "颜色", "values": ["红", "金"]},
        {"name": "手工", "values": ["否"]},
    ]


def test_attributes_read_in_english_where_saleor_has_a_translation_else_in_chinese():
    with translation.override("en"):
        shown = attributes_shown({"assignedAttributes": ASSIGNED}, "en")

    assert shown == [
        {"name": "Material", "values": ["Bronze or brass"]},
        {"name": "源物年代", "values": ["商周"]},
        {"name": "Size", "values": ["20 cm"]},
        {"name": "Weight", "values": ["1.25 acre_in"]},
        {"name": "Author", "values": ["Wang Xiaoqing"]},
        {"name": "Publisher", "values": ["重庆出版社"]},
        {"name": "Colours", "values": ["Red", "金"]},
        {"name": "Handmade", "values": ["No"]},
    ]


def test_products_without_our_metadata_are_the_platforms():
    assert seller_of({}) is PLATFORM
    assert seller_of({keys.UNIT_ID: "7", keys.UNIT_NAME_ZH: "馆"}).unit_id == "7"


def test_lines_are_grouped_by_unit_in_first_seen_order():
    lines = [{"m": {keys.UNIT_ID: "2"}}, {"m": {}}, {"m": {keys.UNIT_ID: "2"}}, {"m": {keys.UNIT_ID: "5"}}]

    groups = group_by_seller(lines, lambda line: line["m"])

    assert [(g.seller.unit_id, len(g.lines)) for g in groups] == [("2", 2), (None, 1), ("5", 1)]


@pytest.mark.parametrize(
    ("licence", "in_force"),
    [
        ({"licensor_unit": "馆", "valid_until": "2030-01-01"}, True),
        ({"licensor_unit": "馆", "valid_until": "2029-12-31"}, False),
        ({"licensor_unit": "馆"}, True),
        ({"valid_until": "2030-01-01"}, False),
        ({"licensor_unit": "馆", "valid_until": "soon"}, False),
    ],
)
def test_the_authorised_mark_needs_a_licensor_and_an_unexpired_licence(licence, in_force):
    metadata = {keys.LICENCE: json.dumps(licence)}

    assert (licence_in_force(metadata, today=date(2030, 1, 1)) is not None) is in_force


def test_malformed_licence_json_never_breaks_a_page():
    assert licence_in_force({keys.LICENCE: "{not json"}, today=date(2030, 1, 1)) is None


def test_product_events_reach_the_storefront_handler_and_others_can_join(settings):
    settings.SALEOR_WEBHOOK_HANDLERS = {
        "product_deleted": ["storefront.webhooks.product_changed", f"{__name__}.record"],
    }
    RECORDED.clear()

    for handler in handlers_for("product_deleted"):
        handler(event_type="product_deleted", payload={"product": {"id": "P"}}, installation=None)

    assert RECORDED == ["product_deleted"]
    assert product_changed in handlers_for("product_updated")


RECORDED: list[str] = []


def record(*, event_type, payload, installation):
    RECORDED.append(event_type)


def test_a_change_forgets_the_product_page_also_under_its_old_slug_and_every_listing():
    product_cached("old-slug", lambda: {"id": "UHJvZHVjdDox", "name": "x"})
    listing = listing_key("StorefrontHome", {"a": 1})
    generation = cache.get(GENERATION)

    from storefront.webhooks import product_changed

    product_changed(
        event_type="product_updated",
        payload={"product": {"id": "UHJvZHVjdDox", "slug": "new-slug"}},
        installation=None,
    )

    assert cache.get(product_key("old-slug")) is None
    assert cache.get(GENERATION) == generation + 1
    assert listing_key("StorefrontHome", {"a": 1}) != listing


def test_a_variant_change_such_as_a_price_forgets_its_products_page():
    product_cached("mug", lambda: {"id": "UHJvZHVjdDo5", "name": "mug"})
    payload = {"productVariant": {"id": "V", "product": {"id": "UHJvZHVjdDo5", "slug": "mug"}}}

    product_changed(event_type="product_variant_updated", payload=payload, installation=None)
    assert product_changed in handlers_for("product_variant_updated")

    assert cache.get(product_key("mug")) is None


def cached_reads(slug: str) -> list[str]:
    """Read a product page's data twice; which reads went to Saleor (fill)."""
    filled: list[str] = []
    for _ in range(2):
        product_cached(slug, lambda: filled.append(slug) or {"id": "UHJvZHVjdDo3", "name": slug})
    return filled


@pytest.mark.parametrize(
    ("event_type", "payload"),
    [
        ("attribute_updated", {"attribute": {"id": "A", "slug": "wenchuang-material"}}),
        ("attribute_deleted", {"attribute": {"id": "A", "slug": "wenchuang-material"}}),
        ("attribute_value_updated", {"attributeValue": {"id": "V", "slug": "tong"}}),
        ("attribute_value_deleted", {"attributeValue": {"id": "V", "slug": "tong"}}),
        ("translation_created", {"translation": {"__typename": "AttributeValueTranslation"}}),
        ("translation_updated", {"translation": {"__typename": "AttributeTranslation"}}),
        ("translation_created", {"translation": {"__typename": "CategoryTranslation"}}),
        # an installation whose subscription predates the product id: which product is not known
        ("translation_updated", {"translation": {"__typename": "ProductTranslation"}}),
    ],
)
def test_an_attribute_value_or_translation_change_forgets_every_product_page_and_listing(event_type, payload):
    assert cached_reads("mug") == ["mug"] and cached_reads("vase") == ["vase"]
    listing = listing_key("StorefrontHome", {"a": 1})

    assert attribute_changed in handlers_for(event_type)
    attribute_changed(event_type=event_type, payload=payload, installation=None)

    assert cached_reads("mug") == ["mug"] and cached_reads("vase") == ["vase"]  # each asked Saleor again
    assert listing_key("StorefrontHome", {"a": 1}) != listing


def test_a_translation_of_something_the_storefront_does_not_show_keeps_the_cache():
    assert cached_reads("mug") == ["mug"]
    generation = cache.get(GENERATION)

    payload = {"translation": {"__typename": "PageTranslation"}}
    attribute_changed(event_type="translation_updated", payload=payload, installation=None)

    assert cached_reads("mug") == [] and cache.get(GENERATION) == generation


@pytest.mark.parametrize(
    "translation_payload",
    [
        {"__typename": "ProductTranslation", "translatableContent": {"productId": "UHJvZHVjdDox"}},
        {
            "__typename": "ProductVariantTranslation",
            "translatableContent": {"productVariant": {"product": {"id": "UHJvZHVjdDox"}}},
        },
    ],
)
def test_a_products_or_variants_translation_forgets_that_products_page_and_the_listings(translation_payload):
    filled: list[str] = []
    for slug, product_id in (("mug", "UHJvZHVjdDox"), ("vase", "UHJvZHVjdDoy")):
        product_cached(slug, lambda s=slug, i=product_id: filled.append(s) or {"id": i, "name": s})
    listing = listing_key("StorefrontHome", {"a": 1})

    attribute_changed(
        event_type="translation_updated", payload={"translation": translation_payload}, installation=None
    )

    assert cache.get(product_key("mug")) is None  # its English name may have changed
    assert cache.get(product_key("vase")) is not None  # another product's page stays
    assert listing_key("StorefrontHome", {"a": 1}) != listing
