"""The sales channel against the live Saleor: a temporary CNY channel with its China zone, ensured twice,
shipping from a warehouse added the way provisioning adds one; everything created is deleted."""

from __future__ import annotations

import uuid

import pytest

from saleor_app.channels import ChannelCurrencyMismatch, channel_zones_warehouse_add, sales_channel_ensure
from saleor_app.client import SaleorClient
from tests.live_saleor import StaffSession, gql
from tests.live_shop import channel_create, channel_delete

pytestmark = pytest.mark.saleor_live


CHANNEL = """query($slug: String!) { channel(slug: $slug) { id currencyCode defaultCountry { code } } }"""
ZONES = """query($id: ID!) { shippingZones(first: 20, filter: {channels: [$id]}) { edges { node {
  id countries { code } warehouses { id }
  shippingMethods { channelListings { channel { id } price { amount currency } } } } } } }"""


@pytest.fixture
def temporary_slug(saleor_api_url, staff_token, settings):
    slug = f"wc-test-{uuid.uuid4().hex[:10]}"
    settings.SALEOR_CHANNEL_SLUG = slug
    created = {"warehouses": []}
    yield slug, created
    channel = gql(saleor_api_url, staff_token, CHANNEL, slug=slug)["channel"]
    if channel:
        for edge in gql(saleor_api_url, staff_token, ZONES, id=channel["id"])["shippingZones"]["edges"]:
            gql(
                saleor_api_url,
                staff_token,
                "mutation($id: ID!) { shippingZoneDelete(id: $id) { errors { message } } }",
                id=edge["node"]["id"],
            )
        gql(
            saleor_api_url,
            staff_token,
            "mutation($id: ID!) { channelDelete(id: $id) { errors { message } } }",
            id=channel["id"],
        )
    for warehouse_id in created["warehouses"]:
        gql(
            saleor_api_url,
            staff_token,
            "mutation($id: ID!) { deleteWarehouse(id: $id) { errors { message } } }",
            id=warehouse_id,
        )


def test_a_temporary_channel_is_created_in_cny_and_ships_to_china(
    saleor_api_url, staff_token, temporary_slug
):
    slug, created = temporary_slug
    client = SaleorClient(saleor_api_url, staff_token)

    channel_id = sales_channel_ensure(client=client)
    assert sales_channel_ensure(client=client) == channel_id  # again: nothing new

    channel = gql(saleor_api_url, staff_token, CHANNEL, slug=slug)["channel"]
    assert (channel["id"], channel["currencyCode"], channel["defaultCountry"]["code"]) == (
        channel_id,
        "CNY",
        "CN",
    )
    [zone] = [
        e["node"] for e in gql(saleor_api_url, staff_token, ZONES, id=channel_id)["shippingZones"]["edges"]
    ]
    assert [c["code"] for c in zone["countries"]] == ["CN"]
    [method] = zone["shippingMethods"]
    [listing] = [cl for cl in method["channelListings"] if cl["channel"]["id"] == channel_id]
    assert listing["price"] == {"amount": 10.0, "currency": "CNY"}

    # As provisioning does: the warehouse joins the channel, then the channel's zones.
    warehouse = gql(
        saleor_api_url,
        staff_token,
        """mutation($slug: String!) { createWarehouse(input: {name: $slug, slug: $slug, address: {
          streetAddress1: "浆洗街1号", city: "成都市", cityArea: "武侯区", countryArea: "四川省",
          postalCode: "610041", country: CN}}) { warehouse { id } errors { message } } }""",
        slug=slug,
    )["createWarehouse"]["warehouse"]
    created["warehouses"].append(warehouse["id"])
    client.mutate("ChannelWarehouseAdd", {"id": channel_id, "warehouseId": warehouse["id"]}, "channelUpdate")
    channel_zones_warehouse_add(client, channel_id=channel_id, warehouse_id=warehouse["id"])
    channel_zones_warehouse_add(client, channel_id=channel_id, warehouse_id=warehouse["id"])

    [zone] = [
        e["node"] for e in gql(saleor_api_url, staff_token, ZONES, id=channel_id)["shippingZones"]["edges"]
    ]
    assert zone["warehouses"] == [{"id": warehouse["id"]}]


@pytest.fixture
def usd_channel(saleor_api_url):
    """A channel in USD, as a fresh Saleor's default-channel is (this Saleor's may be anything)."""
    staff = StaffSession(saleor_api_url)
    channel = channel_create(staff, currency="USD")
    yield channel["slug"]
    channel_delete(staff, channel["id"])


def test_a_usd_channel_like_a_fresh_saleors_default_is_refused(
    saleor_api_url, staff_token, settings, usd_channel
):
    settings.SALEOR_CHANNEL_SLUG = usd_channel

    with pytest.raises(ChannelCurrencyMismatch, match="sells in USD"):
        sales_channel_ensure(client=SaleorClient(saleor_api_url, staff_token))
