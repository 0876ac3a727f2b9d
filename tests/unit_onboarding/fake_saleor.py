"""A small in-memory Saleor at the HTTP edge (respx): just the operations provisioning uses."""

from __future__ import annotations

import base64
import json
import uuid

import httpx

API_URL = "http://127.0.0.1:8000/graphql/"
CHANNEL_ID = "Q2hhbm5lbDox"


class FakeSaleor:
    def __init__(self) -> None:
        self.warehouses: dict[str, dict] = {}
        self.channel_warehouses: list[str] = []
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
        wid = base64.b64encode(f"Warehouse:{uuid.uuid4()}".encode()).decode()
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

    def op_ChannelWarehouses(self, v):
        if v["slug"] != "default-channel":
            return {"channel": None}
        return {"channel": {"id": CHANNEL_ID, "slug": v["slug"], "warehouses": self._channel()}}

    def op_ChannelWarehouseAdd(self, v):
        if v["warehouseId"] not in self.channel_warehouses:
            self.channel_warehouses.append(v["warehouseId"])
        return {"channelUpdate": {"channel": {"id": CHANNEL_ID, "warehouses": self._channel()}, "errors": []}}

    def _channel(self):
        return [{"id": w} for w in self.channel_warehouses]
