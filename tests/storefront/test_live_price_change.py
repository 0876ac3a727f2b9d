"""Live: a price changed in Saleor shows on the cached product page once its webhook is processed."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

import pytest
from django.core.cache import cache

from saleor_app.installer import app_install
from saleor_app.models import WebhookEvent
from storefront.catalog_cache import product_key
from tests.live_saleor import StaffSession

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(saleor_api_url):
    return StaffSession(saleor_api_url)


@pytest.fixture
def installed(live_server, settings, staff, saleor_api_url):
    """This service (live_server) installed in Saleor under its own identifier; removed afterwards."""
    settings.APP_PUBLIC_URL = live_server.url
    settings.SALEOR_API_URL = saleor_api_url
    settings.SALEOR_APP_IDENTIFIER = f"cn.wenchuang.storefront-{uuid.uuid4().hex[:8]}"
    settings.SALEOR_ALLOWED_API_URLS = [saleor_api_url]
    try:
        yield app_install(api_url=saleor_api_url, email=staff.email, password=staff.password)
    finally:
        app = staff.app_by_identifier(settings.SALEOR_APP_IDENTIFIER)
        if app:
            staff.delete_app(app["id"])


def set_price(staff: StaffSession, variant_id: str, channel_id: str, price: Decimal) -> None:
    data = staff.gql(
        "mutation($id: ID!, $c: ID!, $p: PositiveDecimal!) { productVariantChannelListingUpdate("
        "id: $id, input: [{channelId: $c, price: $p}]) { errors { field message } } }",
        {"id": variant_id, "c": channel_id, "p": str(price)},
    )
    assert data["productVariantChannelListingUpdate"]["errors"] == []


def test_a_price_change_is_on_the_product_page_once_its_webhook_is_processed(installed, staff, client):
    data = staff.gql(
        '{ channel(slug: "default-channel") { id } products(first: 1, channel: "default-channel",'
        ' filter: {search: "Apple Juice"}) { edges { node { slug variants { id'
        " pricing { price { gross { amount } } } } } } } }"
    )
    channel_id = data["channel"]["id"]
    product = data["products"]["edges"][0]["node"]
    variant = product["variants"][0]
    before = Decimal(str(variant["pricing"]["price"]["gross"]["amount"]))
    changed = before + Decimal("1.11")
    path = f"/en/products/{product['slug']}/"
    assert f"${before:.2f}" in client.get(path).content.decode()
    assert cache.get(product_key(product["slug"]))["variants"][0]["pricing"]  # served from cache from now on

    try:
        set_price(staff, variant["id"], channel_id, changed)
        deadline = time.monotonic() + 30
        while not WebhookEvent.objects.filter(
            event_type="product_variant_updated", status=WebhookEvent.Status.DONE
        ).exists():
            assert time.monotonic() < deadline, "no processed product_variant_updated webhook"
            time.sleep(0.2)

        assert f"${changed:.2f}" in client.get(path).content.decode()
    finally:
        set_price(staff, variant["id"], channel_id, before)
