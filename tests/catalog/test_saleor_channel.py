"""The sales channel: created in CNY with a mainland-China shipping zone when absent, left alone when
present, refused when it sells in another currency."""

from __future__ import annotations

import pytest

from saleor_app.channels import (
    STANDARD_SHIPPING_FEN,
    ZONE_NAME,
    ChannelCurrencyMismatch,
    sales_channel_ensure,
)
from saleor_app.client import SaleorClient
from tests.unit_onboarding.fake_saleor import API_URL, fake_saleor_answering

MUTATIONS = {
    "SalesChannelCreate",
    "ShippingZoneCreate",
    "ShippingPriceCreate",
    "ShippingMethodChannelPrice",
    "ShippingZoneWarehouseAdd",
}


@pytest.fixture
def saleor():
    with fake_saleor_answering() as fake:
        yield fake


@pytest.fixture
def client():
    return SaleorClient(API_URL, "app-token", max_retries=0)


@pytest.fixture(autouse=True)
def cny_slug(settings):
    settings.SALEOR_CHANNEL_SLUG = "wenchuang-cny"


def test_an_absent_channel_is_created_in_cny_with_a_priced_china_zone(saleor, client):
    channel_id = sales_channel_ensure(client=client)

    channel = saleor.channels["wenchuang-cny"]
    assert channel["id"] == channel_id
    assert (channel["currencyCode"], channel["defaultCountry"]) == ("CNY", "CN")
    [zone] = saleor.zones.values()
    assert (zone["name"], zone["countries"], zone["channels"]) == (ZONE_NAME, ["CN"], [channel_id])
    [method] = saleor.methods.values()
    assert method["zone"] == zone["id"]
    assert method["prices"] == {channel_id: "10.00"} and STANDARD_SHIPPING_FEN == 1000


def test_ensuring_again_changes_nothing(saleor, client):
    first = sales_channel_ensure(client=client)
    saleor.calls.clear()

    again = sales_channel_ensure(client=client)

    assert again == first
    assert MUTATIONS.isdisjoint(saleor.calls)
    assert (len(saleor.zones), len(saleor.methods)) == (1, 1)


def test_an_existing_cny_channel_with_a_zone_and_method_is_left_alone(saleor, client):
    channel = saleor.channel_add("wenchuang-cny", "CNY")
    zone = saleor.zone_add("China", ["CN", "HK"], [channel["id"]])
    saleor.methods["m1"] = {"id": "m1", "name": "EMS", "zone": zone["id"], "prices": {channel["id"]: "8.00"}}

    assert sales_channel_ensure(client=client) == channel["id"]

    assert MUTATIONS.isdisjoint(saleor.calls)
    assert list(saleor.zones) == [zone["id"]]


def test_a_zone_without_a_method_in_the_channel_gets_one(saleor, client):
    channel = saleor.channel_add("wenchuang-cny", "CNY")
    zone = saleor.zone_add("China", ["CN"], [channel["id"]])
    saleor.methods["m1"] = {"id": "m1", "name": "Other channel", "zone": zone["id"], "prices": {"x": "1.00"}}

    sales_channel_ensure(client=client)

    assert "ShippingZoneCreate" not in saleor.calls
    [new] = [m for m in saleor.methods.values() if m["id"] != "m1"]
    assert new["zone"] == zone["id"] and new["prices"] == {channel["id"]: "10.00"}


def test_warehouses_already_in_the_channel_are_added_to_the_new_zone(saleor, client):
    channel = saleor.channel_add("wenchuang-cny", "CNY")
    channel["warehouses"].extend(["W1", "W2"])

    sales_channel_ensure(client=client)

    [zone] = saleor.zones.values()
    assert zone["warehouses"] == ["W1", "W2"]


def test_a_channel_in_another_currency_is_refused_and_nothing_is_created(saleor, client, settings):
    settings.SALEOR_CHANNEL_SLUG = "default-channel"  # a fresh Saleor's, in USD

    with pytest.raises(ChannelCurrencyMismatch, match="'default-channel' sells in USD"):
        sales_channel_ensure(client=client)

    assert MUTATIONS.isdisjoint(saleor.calls)
    assert saleor.zones == {}
