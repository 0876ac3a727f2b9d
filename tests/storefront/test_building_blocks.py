"""Money formatting, seller metadata, licence validity and the webhook handler fan-out."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.cache import cache

from catalog import saleor_metadata as keys
from saleor_app.handlers import handlers_for
from storefront.catalog_cache import GENERATION, listing_key, product_cached, product_key
from storefront.money import money_format
from storefront.units import PLATFORM, group_by_seller, licence_in_force, seller_of
from storefront.webhooks import product_changed


def test_cny_is_formatted_from_minor_units_for_each_language():
    price = {"currency": "CNY", "fractionalAmount": 128800, "fractionDigits": 2}

    assert money_format(price, language="zh-hans") == "¥1,288.00"
    assert money_format(price, language="en") == "CN¥1,288.00"
    assert (
        money_format({"currency": "CNY", "fractionalAmount": 1, "fractionDigits": 2}, language="zh-hans")
        == "¥0.01"
    )


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
