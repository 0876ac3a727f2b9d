"""A small in-memory Saleor at the HTTP edge (respx): the operations provisioning and channel setup use."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import respx

API_URL = "http://127.0.0.1:8000/graphql/"
CHANNEL_ID = "Q2hhbm5lbDox"


class FakeSaleor:
    def __init__(self) -> None:
        self.warehouses: dict[str, dict] = {}
        # A fresh Saleor: one channel, in USD, and no shipping zones.
        self.channels: dict[str, dict] = {
            "default-channel": {
                "id": CHANNEL_ID,
                "slug": "default-channel",
                "currencyCode": "USD",
                "warehouses": [],
            }
        }
        self.channel_warehouses: list[str] = self.channels["default-channel"]["warehouses"]
        self.zones: dict[str, dict] = {}
        self.methods: dict[str, dict] = {}
        self.calls: list[str] = []
        self.down = False
        self.fail_after_create = False  # the create is applied, then the connection drops

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        name = body["operationName"]
        self.calls.append(name)
        if self.down:
            return httpx.Response(503, text="upstream unavailable")
        variables = body["variables"]
        data = getattr(self, f"op_{name}")(variables)
        if name == "UnitWarehouseCreate" and self.fail_after_create:
            self.fail_after_create = False
            raise httpx.ReadTimeout("connection dropped after the create was applied")
        return httpx.Response(200, json={"data": data})

    def op_UnitWarehouseFind(self, v):
        by_ref = next(
            (w for w in self.warehouses.values() if w["externalReference"] == v["externalReference"]), None
        )
        by_slug = [w for w in self.warehouses.values() if w["slug"] == v["slug"]]
        return {"byReference": by_ref, "bySlug": {"edges": [{"node": w} for w in by_slug]}}

    def op_UnitWarehouseCreate(self, v):
        data = v["input"]
        if any(w["slug"] == data["slug"] for w in self.warehouses.values()):
            error = {"field": "slug", "code": "UNIQUE", "message": "Warehouse with this Slug already exists."}
            return {"createWarehouse": {"warehouse": None, "errors": [error]}}
        wid = _gid("Warehouse")
        self.warehouses[wid] = {
            "id": wid,
            "slug": data["slug"],
            "externalReference": data["externalReference"],
            "metadata": [],
            "address": data["address"],
        }
        return {"createWarehouse": {"warehouse": self.warehouses[wid], "errors": []}}

    def op_MetadataUpdate(self, v):
        meta = {m["key"]: m["value"] for m in self.warehouses[v["id"]]["metadata"]}
        meta.update({m["key"]: m["value"] for m in v["input"]})
        self.warehouses[v["id"]]["metadata"] = [{"key": k, "value": val} for k, val in meta.items()]
        return {"updateMetadata": {"item": {"metadata": self.warehouses[v["id"]]["metadata"]}, "errors": []}}

    def channel_add(self, slug: str, currency: str) -> dict:
        channel = {"id": _gid("Channel"), "slug": slug, "currencyCode": currency, "warehouses": []}
        self.channels[slug] = channel
        return channel

    def zone_add(self, name: str, countries: list[str], channel_ids: list[str]) -> dict:
        zone = {"id": _gid("ShippingZone"), "name": name, "countries": countries, "channels": channel_ids}
        zone["warehouses"] = []
        self.zones[zone["id"]] = zone
        return zone

    def _by_id(self, channel_id):
        return next(c for c in self.channels.values() if c["id"] == channel_id)

    def op_ChannelWarehouses(self, v):
        channel = self.channels.get(v["slug"])
        if channel is None:
            return {"channel": None}
        return {"channel": {"id": channel["id"], "slug": v["slug"], "warehouses": self._channel(channel)}}

    def op_ChannelWarehouseAdd(self, v):
        channel = self._by_id(v["id"])
        if v["warehouseId"] not in channel["warehouses"]:
            channel["warehouses"].append(v["warehouseId"])
        return {
            "channelUpdate": {"channel": {"id": v["id"], "warehouses": self._channel(channel)}, "errors": []}
        }

    def _channel(self, channel):
        return [{"id": w} for w in channel["warehouses"]]

    def op_SalesChannel(self, v):
        channel = self.channels.get(v["slug"])
        return {"channel": channel and self._channel_node(channel)}

    def _channel_node(self, channel):
        return {
            "id": channel["id"],
            "slug": channel["slug"],
            "currencyCode": channel["currencyCode"],
            "defaultCountry": {"code": channel.get("defaultCountry", "US")},
        }

    def op_SalesChannelCreate(self, v):
        data = v["input"]
        if data["slug"] in self.channels:
            error = {"field": "slug", "code": "UNIQUE", "message": "Channel with this Slug already exists."}
            return {"channelCreate": {"channel": None, "errors": [error]}}
        channel = self.channel_add(data["slug"], data["currencyCode"])
        channel["defaultCountry"] = data["defaultCountry"]
        return {"channelCreate": {"channel": self._channel_node(channel), "errors": []}}

    def op_ChannelShippingZones(self, v):
        zones = [z for z in self.zones.values() if v["channelId"] in z["channels"]]
        return {"shippingZones": {"edges": [{"node": self._zone_node(z)} for z in zones]}}

    def _zone_node(self, zone):
        methods = [m for m in self.methods.values() if m["zone"] == zone["id"]]
        return {
            "id": zone["id"],
            "name": zone["name"],
            "countries": [{"code": c} for c in zone["countries"]],
            "warehouses": [{"id": w} for w in zone["warehouses"]],
            "shippingMethods": [
                {"id": m["id"], "channelListings": [{"channel": {"id": c}} for c in m["prices"]]}
                for m in methods
            ],
        }

    def op_ShippingZoneCreate(self, v):
        data = v["input"]
        zone = self.zone_add(data["name"], data["countries"], data.get("addChannels", []))
        return {"shippingZoneCreate": {"shippingZone": {"id": zone["id"]}, "errors": []}}

    def op_ShippingZoneWarehouseAdd(self, v):
        zone = self.zones[v["id"]]
        # Saleor refuses a warehouse that shares no channel with the zone.
        if not any(v["warehouseId"] in self._by_id(c)["warehouses"] for c in zone["channels"]):
            error = {
                "field": "addWarehouses",
                "code": "INVALID",
                "message": "Only warehouses that have common channel with shipping zone can be assigned.",
            }
            return {"shippingZoneUpdate": {"shippingZone": None, "errors": [error]}}
        if v["warehouseId"] not in zone["warehouses"]:
            zone["warehouses"].append(v["warehouseId"])
        node = {"id": zone["id"], "warehouses": [{"id": w} for w in zone["warehouses"]]}
        return {"shippingZoneUpdate": {"shippingZone": node, "errors": []}}

    def op_ShippingPriceCreate(self, v):
        data = v["input"]
        method = {
            "id": _gid("ShippingMethodType"),
            "name": data["name"],
            "zone": data["shippingZone"],
            "prices": {},
        }
        self.methods[method["id"]] = method
        return {"shippingPriceCreate": {"shippingMethod": {"id": method["id"]}, "errors": []}}

    def op_ShippingMethodChannelPrice(self, v):
        method = self.methods[v["id"]]
        for listing in v["input"]["addChannels"]:
            method["prices"][listing["channelId"]] = listing["price"]
        return {"shippingMethodChannelListingUpdate": {"shippingMethod": {"id": method["id"]}, "errors": []}}


def _gid(type_name: str) -> str:
    return base64.b64encode(f"{type_name}:{uuid.uuid4()}".encode()).decode()


@contextmanager
def fake_saleor_answering() -> Iterator[FakeSaleor]:
    """A FakeSaleor answering the app's GraphQL at API_URL (respx, the HTTP edge) while inside."""
    fake = FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API_URL).mock(side_effect=fake.handle)
        yield fake
