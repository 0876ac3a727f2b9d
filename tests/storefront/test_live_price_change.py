"""Live: a price, an attribute given to a product, or an attribute value renamed or translated in Saleor
shows on the cached product page once its webhook is processed. The product is the test's own, sold in a
channel of its own (tests/live_shop.py), made before the app is installed (its set-up is not delivered)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.cache import cache

from saleor_app.models import WebhookEvent
from storefront.catalog_cache import product_key
from storefront.money import money_format
from tests.live_saleor import StaffSession, wait_until
from tests.live_shop import ProductSpec, own_shop
from tests.storefront.conftest import this_service_installed
from tests.storefront.live_catalog import attributes_set, taxonomy_attributes

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(staff, settings):
    """A product of the test's own; the storefront sells in its channel, whatever SALEOR_CHANNEL_SLUG is."""
    with own_shop(staff, [ProductSpec("实况测试果汁", "36.50")]) as made:
        settings.SALEOR_CHANNEL_SLUG = made.channel_slug
        yield made


@pytest.fixture
def installed(shop, live_server, settings, staff, saleor_api_url):
    """This service (live_server) installed in Saleor under its own identifier; removed afterwards."""
    with this_service_installed(
        staff, live_server, settings, saleor_api_url, "cn.wenchuang.storefront"
    ) as app:
        yield app


def set_price(staff: StaffSession, variant_id: str, channel_id: str, price: Decimal) -> None:
    data = staff.gql(
        "mutation($id: ID!, $c: ID!, $p: PositiveDecimal!) { productVariantChannelListingUpdate("
        "id: $id, input: [{channelId: $c, price: $p}]) { errors { field message } } }",
        {"id": variant_id, "c": channel_id, "p": str(price)},
    )
    assert data["productVariantChannelListingUpdate"]["errors"] == []


def processed(event_type: str, payload: dict, until: Callable[[dict], bool] = lambda payload: True) -> None:
    """Wait until this service has processed a delivery of `event_type` about `payload` (e.g. product={"id":
    ...}: this product's, not another app's or test's) that satisfies `until`."""
    events = WebhookEvent.objects.filter(
        event_type=event_type, status=WebhookEvent.Status.DONE, payload__contains=payload
    )
    wait_until(
        f"a processed {event_type} webhook about {payload}",
        lambda: any(until(event.payload) for event in events.all()),
    )


def test_a_price_change_is_on_the_product_page_once_its_webhook_is_processed(installed, shop, staff, client):
    [product] = shop.products
    before = Decimal(product.price)
    changed = before + Decimal("1.11")

    def shown(amount: Decimal) -> str:
        fen = int(amount * 100)
        return money_format(
            {"currency": shop.currency, "fractionalAmount": fen, "fractionDigits": 2}, language="en"
        )

    path = f"/en/products/{product.slug}/"
    assert shown(before) in client.get(path).content.decode()
    assert cache.get(product_key(product.slug))["variants"][0]["pricing"]  # served from cache from now on

    set_price(staff, product.variant_id, shop.channel_id, changed)

    def repriced(payload: dict) -> bool:
        listings = payload["productVariant"]["channelListings"]
        fen = int(changed * 100)
        return any(
            c["channel"]["slug"] == shop.channel_slug and c["price"]["fractionalAmount"] == fen
            for c in listings
        )

    processed("product_variant_updated", {"productVariant": {"id": product.variant_id}}, repriced)

    assert shown(changed) in client.get(path).content.decode()


def test_an_attribute_given_to_a_product_is_on_its_page_once_product_updated_is_processed(
    installed, shop, staff, client
):
    [product] = shop.products
    path = f"/en/products/{product.slug}/"
    assert "Bronze or brass" not in client.get(path).content.decode()
    assert cache.get(product_key(product.slug))  # served from cache from now on

    # Assigning our attributes to the product's type sends no product event; setting the value does.
    with taxonomy_attributes(staff, shop.product_type_id) as ids:
        attributes_set(staff, product.id, ids, {"wenchuang-material": "bronze"})
        processed(
            "product_updated",
            {"product": {"id": product.id}},
            lambda payload: any(a["values"] for a in payload["product"]["attributes"]),
        )

        page = client.get(path).content.decode()
        assert ">Material<" in page and ">Bronze or brass<" in page


@pytest.fixture
def own_attribute(staff):
    """A dropdown attribute of this test's own (value 哑光, no English name yet), deleted afterwards."""
    data = staff.gql(
        "mutation($input: AttributeCreateInput!) { attributeCreate(input: $input) {"
        " attribute { id choices(first: 1) { edges { node { id } } } } errors { field message } } }",
        {
            "input": {
                "name": "表面处理",
                "slug": f"sf-test-finish-{uuid.uuid4().hex[:8]}",
                "type": "PRODUCT_TYPE",
                "inputType": "DROPDOWN",
                "visibleInStorefront": True,
                "values": [{"name": "哑光"}],
            }
        },
    )["attributeCreate"]
    assert data["errors"] == []
    attribute = data["attribute"]
    yield attribute["id"], attribute["choices"]["edges"][0]["node"]["id"]
    staff.gql(
        "mutation($id: ID!) { attributeDelete(id: $id) { errors { message } } }", {"id": attribute["id"]}
    )


def test_a_value_translated_or_renamed_in_saleor_is_on_cached_product_pages_once_processed(
    installed, shop, staff, client, own_attribute
):
    attribute_id, value_id = own_attribute
    [own] = shop.products
    product = {"id": own.id, "slug": own.slug}
    assigned = staff.gql(
        "mutation($t: ID!, $a: ID!) { productAttributeAssign(productTypeId: $t,"
        " operations: [{id: $a, type: PRODUCT}]) { errors { message } } }",
        {"t": shop.product_type_id, "a": attribute_id},
    )
    assert assigned["productAttributeAssign"]["errors"] == []
    updated = staff.gql(
        "mutation($id: ID!, $a: ID!, $v: ID!) { productUpdate(id: $id, input: {attributes:"
        " [{id: $a, dropdown: {id: $v}}]}) { errors { message } } }",
        {"id": product["id"], "a": attribute_id, "v": value_id},
    )
    assert updated["productUpdate"]["errors"] == []
    processed(
        "product_updated",
        {"product": {"id": product["id"]}},
        lambda payload: any(a["values"] for a in payload["product"]["attributes"]),
    )
    english, chinese = f"/en/products/{product['slug']}/", f"/products/{product['slug']}/"
    assert ">表面处理<" in client.get(english).content.decode()  # no English names yet: the Chinese ones
    assert ">哑光<" in client.get(english).content.decode()  # (now cached)

    translated = staff.gql(
        'mutation($id: ID!) { attributeValueTranslate(id: $id, languageCode: EN, input: {name: "Matte"})'
        " { errors { message } } }",
        {"id": value_id},
    )
    assert translated["attributeValueTranslate"]["errors"] == []
    processed("translation_created", {"translation": {"translatableContent": {"attributeValueId": value_id}}})
    assert ">Matte<" in client.get(english).content.decode()

    assert ">哑光<" in client.get(chinese).content.decode()  # cached again
    renamed = staff.gql(
        'mutation($id: ID!) { attributeValueUpdate(id: $id, input: {name: "亚光"}) { errors { message } } }',
        {"id": value_id},
    )
    assert renamed["attributeValueUpdate"]["errors"] == []
    processed("attribute_value_updated", {"attributeValue": {"id": value_id}})
    assert ">亚光<" in client.get(chinese).content.decode()
