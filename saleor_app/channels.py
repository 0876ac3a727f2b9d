"""The Saleor sales channel the marketplace sells in: CNY, China, with a shipping zone for the mainland.

A fresh Saleor has only `default-channel` in USD and no shipping zones, so nothing could be sold or shipped.
Everything here looks up before it creates, so it is safe to run on every deploy.
"""

from __future__ import annotations

from django.conf import settings

from core.money import minor_format
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorError

CURRENCY = "CNY"
COUNTRY = "CN"
ZONE_NAME = "中国大陆 Mainland China"
METHOD_NAME = "标准快递 Standard delivery"
STANDARD_SHIPPING_FEN = 1000  # ¥10.00 flat, the demo's standard rate


class ChannelCurrencyMismatch(SaleorError):
    """The configured channel exists but sells in another currency than CNY."""


def _price(fen: int) -> str:
    return minor_format(fen, "CNY")


def _channel(client: SaleorClient, slug: str) -> dict:
    channel = client.execute("SalesChannel", {"slug": slug}).get("channel")
    if channel is None:
        channel = client.mutate(
            "SalesChannelCreate",
            {
                "input": {
                    "name": f"文创市集 Wenchuang ({slug})",
                    "slug": slug,
                    "currencyCode": CURRENCY,
                    "defaultCountry": COUNTRY,
                    "isActive": True,
                }
            },
            "channelCreate",
        )["channel"]
    if channel["currencyCode"] != CURRENCY:
        raise ChannelCurrencyMismatch(
            f"Saleor channel {slug!r} sells in {channel['currencyCode']}, the marketplace in {CURRENCY}: "
            "set SALEOR_CHANNEL_SLUG to a new slug (it is then created in CNY) or to a CNY channel"
        )
    return channel


def channel_zones(client: SaleorClient, channel_id: str) -> list[dict]:
    """The shipping zones attached to a channel."""
    data = client.execute("ChannelShippingZones", {"channelId": channel_id})
    return [edge["node"] for edge in data["shippingZones"]["edges"]]


def channel_zones_warehouse_add(client: SaleorClient, *, channel_id: str, warehouse_id: str) -> None:
    """Let every shipping zone of the channel ship from the warehouse (it must be in the channel)."""
    for zone in channel_zones(client, channel_id):
        if all(w["id"] != warehouse_id for w in zone["warehouses"]):
            client.mutate(
                "ShippingZoneWarehouseAdd",
                {"id": zone["id"], "warehouseId": warehouse_id},
                "shippingZoneUpdate",
            )


def _china_zone(client: SaleorClient, channel_id: str) -> dict:
    for zone in channel_zones(client, channel_id):
        if any(c["code"] == COUNTRY for c in zone["countries"]):
            return zone
    created = client.mutate(
        "ShippingZoneCreate",
        {"input": {"name": ZONE_NAME, "countries": [COUNTRY], "addChannels": [channel_id]}},
        "shippingZoneCreate",
    )
    return {"id": created["shippingZone"]["id"], "warehouses": [], "shippingMethods": []}


def _ensure_method(client: SaleorClient, zone: dict, channel_id: str) -> None:
    for method in zone["shippingMethods"] or []:
        if any(listing["channel"]["id"] == channel_id for listing in method["channelListings"] or []):
            return
    method = client.mutate(
        "ShippingPriceCreate",
        {"input": {"name": METHOD_NAME, "type": "PRICE", "shippingZone": zone["id"]}},
        "shippingPriceCreate",
    )["shippingMethod"]
    client.mutate(
        "ShippingMethodChannelPrice",
        {
            "id": method["id"],
            "input": {"addChannels": [{"channelId": channel_id, "price": _price(STANDARD_SHIPPING_FEN)}]},
        },
        "shippingMethodChannelListingUpdate",
    )


def sales_channel_ensure(*, client: SaleorClient) -> str:
    """Make sure SALEOR_CHANNEL_SLUG sells in CNY and ships to China from all its warehouses; its id."""
    channel = _channel(client, settings.SALEOR_CHANNEL_SLUG)
    zone = _china_zone(client, channel["id"])
    _ensure_method(client, zone, channel["id"])
    # Warehouses attached before the zone existed (units provisioned earlier) ship to China too.
    in_channel = client.execute("ChannelWarehouses", {"slug": channel["slug"]})["channel"]["warehouses"]
    in_zone = {w["id"] for w in zone["warehouses"]}
    for warehouse in in_channel:
        if warehouse["id"] not in in_zone:
            client.mutate(
                "ShippingZoneWarehouseAdd",
                {"id": zone["id"], "warehouseId": warehouse["id"]},
                "shippingZoneUpdate",
            )
    return channel["id"]
