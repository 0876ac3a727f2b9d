"""An in-memory Saleor at the HTTP edge (respx) for catalog sync: products, attributes, variants, media."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.unit_onboarding.fake_saleor import API_URL, CHANNEL_ID, FakeSaleor

__all__ = ["API_URL", "CHANNEL_ID", "CatalogFakeSaleor"]


def _gid(kind: str) -> str:
    return base64.b64encode(f"{kind}:{uuid.uuid4()}".encode()).decode()


def _ok(field: str, **payload) -> dict:
    return {field: {**payload, "errors": []}}


class CatalogFakeSaleor(FakeSaleor):
    def __init__(self) -> None:
        super().__init__()
        self.currency = "CNY"
        self.categories: dict[str, str] = {}
        self.category_names_en: dict[str, str] = {}  # category id -> EN translation's name
        self.product_types: dict[str, str] = {}
        self.type_attributes: dict[str, list[str]] = {}  # product type id -> assigned attribute ids
        self.attributes: dict[str, dict] = {}  # slug -> {id, slug, inputType, unit, values}
        self.products: dict[str, dict] = {}
        self.uploads: list[dict] = []
        self.clock = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
        self.fail_on: str | None = None  # operation name answering 503 once

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            return self._multipart(request)
        name = json.loads(request.content)["operationName"]
        if self.fail_on == name:
            return self._unavailable(name)
        return super().handle(request)

    def _unavailable(self, name: str) -> httpx.Response:
        self.fail_on = None
        self.calls.append(name)
        return httpx.Response(503, text="unavailable")

    def _multipart(self, request: httpx.Request) -> httpx.Response:
        boundary = request.headers["content-type"].split("boundary=")[1].encode()
        parts = {}
        for chunk in request.content.split(b"--" + boundary)[1:-1]:
            head, _, body = chunk.strip(b"\r\n").partition(b"\r\n\r\n")
            parts[head.split(b'name="')[1].split(b'"')[0].decode()] = body
        operations = json.loads(parts["operations"])
        if self.fail_on == operations["operationName"]:
            return self._unavailable(self.fail_on)
        self.calls.append(operations["operationName"])
        variables = operations["variables"]
        for key, paths in json.loads(parts["map"]).items():
            for path in paths:
                variables[path.split(".", 1)[1]] = parts[key]
        data = getattr(self, f"op_{operations['operationName']}")(variables)
        return httpx.Response(200, json={"data": data})

    def _tick(self, product: dict) -> None:
        self.clock += timedelta(seconds=1)
        product["updatedAt"] = self.clock.isoformat()

    # channel and taxonomy
    def op_CatalogChannel(self, v):
        return {"channel": {"id": CHANNEL_ID, "slug": v["slug"], "currencyCode": self.currency}}

    def op_CatalogCategoryFind(self, v):
        cid = self.categories.get(v["slug"])
        if not cid:
            return {"category": None}
        name_en = self.category_names_en.get(cid)
        return {"category": {"id": cid, "translation": {"name": name_en} if name_en else None}}

    def op_CatalogCategoryCreate(self, v):
        self.categories[v["input"]["slug"]] = _gid("Category")
        return _ok("categoryCreate", category={"id": self.categories[v["input"]["slug"]]})

    def op_CatalogCategoryTranslate(self, v):
        assert v["id"] in self.categories.values(), "no such category"
        self.category_names_en[v["id"]] = v["name"]
        return _ok("categoryTranslate", category={"id": v["id"]})

    def _type_node(self, tid: str) -> dict:
        by_id = {a["id"]: a for a in self.attributes.values()}
        assigned = [by_id[a] for a in self.type_attributes.get(tid, [])]
        return {"id": tid, "productAttributes": [{"id": a["id"], "slug": a["slug"]} for a in assigned]}

    def op_CatalogProductTypeFind(self, v):
        tid = self.product_types.get(v["slug"])
        return {"productTypes": {"edges": [{"node": self._type_node(tid)}] if tid else []}}

    def op_CatalogProductTypeCreate(self, v):
        self.product_types[v["input"]["slug"]] = _gid("ProductType")
        return _ok("productTypeCreate", productType=self._type_node(self.product_types[v["input"]["slug"]]))

    @staticmethod
    def _attribute_node(a: dict) -> dict:
        """The CatalogAttribute fragment."""
        return {
            "id": a["id"],
            "slug": a["slug"],
            "name": a["name"],
            "translation": {"name": a["name_en"]} if a.get("name_en") else None,
            "choices": {
                "edges": [
                    {
                        "node": {
                            "id": c["id"],
                            "name": c["name"],
                            "externalReference": c["externalReference"],
                            "translation": {"name": c["name_en"]} if c.get("name_en") else None,
                        }
                    }
                    for c in a["values"]
                ]
            },
        }

    def op_CatalogAttributesFind(self, v):
        nodes = [self._attribute_node(a) for slug, a in self.attributes.items() if slug in v["slugs"]]
        return {"attributes": {"edges": [{"node": n} for n in nodes]}}

    @staticmethod
    def _values(values: list[dict]) -> list[dict]:
        return [{**value, "id": _gid("AttributeValue")} for value in values]

    def op_CatalogAttributeCreate(self, v):
        data = v["input"]
        if data["slug"] in self.attributes:
            error = {"field": "slug", "code": "UNIQUE", "message": "Attribute with this Slug already exists."}
            return {"attributeCreate": {"attribute": None, "errors": [error]}}
        attribute = {
            "id": _gid("Attribute"),
            "slug": data["slug"],
            "name": data["name"],
            "inputType": data["inputType"],
            "unit": data.get("unit"),
            "values": self._values(data.get("values") or []),
        }
        self.attributes[data["slug"]] = attribute
        return _ok("attributeCreate", attribute=self._attribute_node(attribute))

    def _attribute(self, attribute_id: str) -> dict:
        return next(a for a in self.attributes.values() if a["id"] == attribute_id)

    def _value(self, value_id: str) -> dict:
        return next(c for a in self.attributes.values() for c in a["values"] if c["id"] == value_id)

    def op_CatalogAttributeValuesAdd(self, v):
        attribute = self._attribute(v["id"])
        attribute["values"].extend(self._values(v["values"]))
        return _ok("attributeUpdate", attribute=self._attribute_node(attribute))

    def op_CatalogAttributeRename(self, v):
        self._attribute(v["id"])["name"] = v["name"]
        return _ok("attributeUpdate", attribute={"id": v["id"]})

    def op_CatalogAttributeTranslate(self, v):
        self._attribute(v["id"])["name_en"] = v["name"]
        return _ok("attributeTranslate", attribute={"id": v["id"]})

    def op_CatalogAttributeValueRename(self, v):
        self._value(v["id"])["name"] = v["name"]
        return _ok("attributeValueUpdate", attributeValue={"id": v["id"]})

    def op_CatalogAttributeValueTranslate(self, v):
        self._value(v["id"])["name_en"] = v["name"]
        return _ok("attributeValueTranslate", attributeValue={"id": v["id"]})

    def op_CatalogProductTypeAttributesAssign(self, v):
        assigned = self.type_attributes.setdefault(v["productTypeId"], [])
        if any(op["id"] in assigned for op in v["operations"]):
            error = {"field": "operations", "code": "ATTRIBUTE_ALREADY_ASSIGNED", "message": "assigned"}
            return {"productAttributeAssign": {"productType": None, "errors": [error]}}
        assigned.extend(op["id"] for op in v["operations"])
        return _ok("productAttributeAssign", productType={"id": v["productTypeId"]})

    def _attribute_values(self, product: dict, entries: list[dict]) -> dict[str, str] | None:
        """Saleor's check: each attribute assigned to the product's type, each dropdown value known."""
        by_id = {a["id"]: a for a in self.attributes.values()}
        values = dict(product.get("attributes") or {})
        for entry in entries:
            attribute = by_id.get(entry["id"])
            if attribute is None or entry["id"] not in self.type_attributes.get(product["productType"], []):
                return None
            if entry.get("numeric") == "":  # "Numeric value is required."
                return None
            if attribute["inputType"] == "DROPDOWN":
                ref = (entry.get("dropdown") or {}).get("externalReference")
                names = {c["externalReference"]: c["name"] for c in attribute["values"]}
                if ref and ref not in names:
                    return None
                value = names.get(ref, "")
            else:
                value = entry.get("numeric") or entry.get("plainText") or ""
            if value:
                values[attribute["slug"]] = value
            else:
                values.pop(attribute["slug"], None)
        return values

    # products
    def product_by_slug(self, slug: str) -> dict | None:
        return next((p for p in self.products.values() if p["slug"] == slug), None)

    def op_CatalogProductFind(self, v):
        ref = next(
            (p for p in self.products.values() if p["externalReference"] == v["externalReference"]), None
        )
        slug = self.product_by_slug(v["slug"])
        return {"byReference": ref and {"id": ref["id"]}, "bySlug": slug and {"id": slug["id"]}}

    def op_CatalogProductCreate(self, v):
        data = v["input"]
        if self.product_by_slug(data["slug"]):
            return {
                "productCreate": {
                    "product": None,
                    "errors": [{"field": "slug", "code": "UNIQUE", "message": "taken"}],
                }
            }
        pid = _gid("Product")
        if self._attribute_values({"productType": data["productType"]}, data.get("attributes") or []) is None:
            error = {"field": "attributes", "code": "INVALID", "message": "not assigned / unknown value"}
            return {"productCreate": {"product": None, "errors": [error]}}
        self.products[pid] = {
            "id": pid,
            "variants": [],
            "media": [],
            "channelListings": [],
            "translations": {},
            "metadata": {},
        }
        self._apply(self.products[pid], data)
        return _ok("productCreate", product={"id": pid})

    def _apply(self, product: dict, data: dict) -> None:
        for key in ("name", "slug", "description", "category", "externalReference", "productType"):
            if key in data:
                product[key] = data[key]
        if "seo" in data:
            product["seoTitle"] = data["seo"]["title"]
            product["seoDescription"] = data["seo"]["description"]
        product["metadata"].update({m["key"]: m["value"] for m in data.get("metadata") or []})
        if "attributes" in data:
            product["attributes"] = self._attribute_values(product, data["attributes"])
        self._tick(product)

    def op_CatalogProductUpdate(self, v):
        product = self.products[v["id"]]
        if self._attribute_values(product, v["input"].get("attributes") or []) is None:
            error = {"field": "attributes", "code": "INVALID", "message": "not assigned / unknown value"}
            return {"productUpdate": {"product": None, "errors": [error]}}
        self._apply(product, v["input"])
        return _ok("productUpdate", product={"id": product["id"], "updatedAt": product["updatedAt"]})

    def op_CatalogProductTranslate(self, v):
        self.products[v["id"]]["translations"]["EN"] = v["input"]
        return _ok("productTranslate")

    def op_CatalogProductState(self, v):
        product = self.products.get(v["id"])
        if product is None:
            return {"product": None}
        return {
            "product": {
                "id": product["id"],
                "updatedAt": product["updatedAt"],
                "variants": [
                    {
                        "id": var["id"],
                        "sku": var["sku"],
                        "updatedAt": var["updatedAt"],
                        "channelListings": [
                            {
                                "id": cl["id"],
                                "channel": {"id": cl["channel"]},
                                "price": {"fractionalAmount": cl["fen"], "currency": self.currency},
                            }
                            for cl in var["channelListings"]
                        ],
                        "stocks": [
                            {"id": s["id"], "warehouse": {"id": s["warehouse"]}, "quantity": s["quantity"]}
                            for s in var["stocks"]
                        ],
                    }
                    for var in product["variants"]
                ],
                "media": [
                    {"id": m["id"], "assetUid": m["private"].get("wenchuang.asset")} for m in product["media"]
                ],
                "channelListings": [
                    {"channel": {"id": c["channel"]}, "isPublished": c["isPublished"]}
                    for c in product["channelListings"]
                ],
            }
        }

    @staticmethod
    def _fen(price: str) -> int:
        units, _, cents = price.partition(".")
        return int(units) * 100 + int((cents + "00")[:2])

    def op_CatalogVariantsCreate(self, v):
        product = self.products[v["product"]]
        results = []
        listed = {c["channel"] for c in product["channelListings"]}
        if any(c["channelId"] not in listed for data in v["variants"] for c in data["channelListings"]):
            error = {
                "field": "channelId",
                "code": "PRODUCT_NOT_ASSIGNED_TO_CHANNEL",
                "message": "not in channel",
            }
            return {"productVariantBulkCreate": {"results": [], "errors": [error]}}
        for data in v["variants"]:
            if any(var["sku"] == data["sku"] for p in self.products.values() for var in p["variants"]):
                results.append(
                    {"productVariant": None, "errors": [{"field": "sku", "code": "UNIQUE", "message": "sku"}]}
                )
                continue
            variant = {
                "id": _gid("ProductVariant"),
                "sku": data["sku"],
                "name": data["name"],
                "weight": data.get("weight"),
                "channelListings": [
                    {
                        "id": _gid("ProductVariantChannelListing"),
                        "channel": c["channelId"],
                        "fen": self._fen(c["price"]),
                    }
                    for c in data["channelListings"]
                ],
                "stocks": [
                    {"id": _gid("Stock"), "warehouse": s["warehouse"], "quantity": s["quantity"]}
                    for s in data["stocks"]
                ],
            }
            self._tick(variant)
            product["variants"].append(variant)
            results.append({"productVariant": {"id": variant["id"], "sku": variant["sku"]}, "errors": []})
        return _ok("productVariantBulkCreate", results=results)

    def op_CatalogVariantsUpdate(self, v):
        product = self.products[v["product"]]
        results = []
        for data in v["variants"]:
            variant = next(var for var in product["variants"] if var["id"] == data["id"])
            variant["name"] = data["name"]
            variant["weight"] = data.get("weight")
            self._tick(variant)
            for update in data["channelListings"].get("update", []):
                cl = next(c for c in variant["channelListings"] if c["id"] == update["channelListing"])
                cl["fen"] = self._fen(update["price"])
            for create in data["channelListings"].get("create", []):
                variant["channelListings"].append(
                    {
                        "id": _gid("ProductVariantChannelListing"),
                        "channel": create["channelId"],
                        "fen": self._fen(create["price"]),
                    }
                )
            for update in data["stocks"].get("update", []):
                next(s for s in variant["stocks"] if s["id"] == update["stock"])["quantity"] = update[
                    "quantity"
                ]
            for create in data["stocks"].get("create", []):
                variant["stocks"].append(
                    {"id": _gid("Stock"), "warehouse": create["warehouse"], "quantity": create["quantity"]}
                )
            results.append({"productVariant": {"id": variant["id"], "sku": variant["sku"]}, "errors": []})
        return _ok("productVariantBulkUpdate", results=results)

    def op_CatalogVariantTranslate(self, v):
        for product in self.products.values():
            for variant in product["variants"]:
                if variant["id"] == v["id"]:
                    variant["name_en"] = v["name"]
        return _ok("productVariantTranslate")

    def op_CatalogVariantsDelete(self, v):
        for product in self.products.values():
            product["variants"] = [var for var in product["variants"] if var["id"] not in v["ids"]]
        return _ok("productVariantBulkDelete", count=len(v["ids"]))

    def op_CatalogProductChannel(self, v):
        product = self.products[v["id"]]
        for update in v["input"]["updateChannels"]:
            product["channelListings"] = [
                c for c in product["channelListings"] if c["channel"] != update["channelId"]
            ]
            product["channelListings"].append(
                {"channel": update["channelId"], "isPublished": update["isPublished"]}
            )
        return _ok("productChannelListingUpdate")

    def op_CatalogMediaCreateBatch(self, v):
        """Like Saleor: each aliased productMediaCreate whose @include holds, in order."""
        data = {}
        for n in range(1, 5):
            if n > 1 and not v[f"with{n}"]:
                continue
            media = {
                "id": _gid("ProductMedia"),
                "alt": v.get(f"alt{n}"),
                "bytes": v[f"image{n}"],
                "private": {},
            }
            self.products[v["product"]]["media"].append(media)
            self.uploads.append(media)
            data |= {f"media{n}": {"media": {"id": media["id"]}, "errors": []}}
        return data

    def op_CatalogMediaDelete(self, v):
        for product in self.products.values():
            product["media"] = [m for m in product["media"] if m["id"] != v["id"]]
        return _ok("productMediaDelete")

    def op_PrivateMetadataUpdateBatch(self, v):
        for n in range(1, 5):
            if n == 1 or v[f"with{n}"]:
                for product in self.products.values():
                    for media in product["media"]:
                        if media["id"] == v[f"id{n}"]:
                            media["private"].update({m["key"]: m["value"] for m in v[f"input{n}"]})
        return {f"update{n}": {"errors": []} for n in range(1, 5) if n == 1 or v[f"with{n}"]}

    # bulk: each row through the one-by-one handlers, a row's errors at its index (REJECT_FAILED_ROWS)
    def op_CatalogProductsBySlug(self, v):
        nodes = [
            {
                "id": p["id"],
                "slug": p["slug"],
                "updatedAt": p["updatedAt"],
                "variants": [{"updatedAt": var["updatedAt"]} for var in p["variants"]],
            }
            for p in self.products.values()
            if p["slug"] in v["slugs"]
        ]
        return {"products": {"edges": [{"node": n} for n in nodes[: v["first"]]]}}

    def op_CatalogProductsBulkCreate(self, v):
        results = []
        for index, data in enumerate(v["products"]):
            skus = [var["sku"] for var in data["variants"]]
            taken = {var["sku"] for p in self.products.values() for var in p["variants"]}
            if len(set(skus)) < len(skus) or taken & set(skus):
                error = {"path": f"variants.{len(skus) - 1}.sku", "code": "UNIQUE", "message": "SKU exists"}
                results.append({"product": None, "errors": [error]})
                continue
            product = {k: data[k] for k in data if k not in ("variants", "channelListings")}
            created = self.op_CatalogProductCreate({"input": product})["productCreate"]
            if created["errors"]:
                error = {**created["errors"][0], "path": f"products.{index}.{created['errors'][0]['field']}"}
                results.append({"product": None, "errors": [error]})
                continue
            pid = created["product"]["id"]
            channels = [{**c} for c in data["channelListings"]]
            self.op_CatalogProductChannel({"id": pid, "input": {"updateChannels": channels}})
            variants = self.op_CatalogVariantsCreate({"product": pid, "variants": data["variants"]})
            ids = [r["productVariant"] for r in variants["productVariantBulkCreate"]["results"]]
            results.append({"product": {"id": pid, "variants": ids}, "errors": []})
        count = sum(1 for r in results if r["product"])
        return {"productBulkCreate": {"count": count, "results": results, "errors": []}}

    def op_CatalogProductsBulkTranslate(self, v):
        for t in v["translations"]:
            self.products[t["id"]]["translations"][t["languageCode"]] = t["translationFields"]
        return _ok("productBulkTranslate", results=[{"errors": []} for _ in v["translations"]])

    def op_CatalogVariantsBulkTranslate(self, v):
        for t in v["translations"]:
            self.op_CatalogVariantTranslate({"id": t["id"], "name": t["translationFields"]["name"]})
        return _ok("productVariantBulkTranslate", results=[{"errors": []} for _ in v["translations"]])

    # reading helpers for tests
    def selected_attributes(self, product: dict, **changes: str) -> list[dict]:
        """The product's attributes as a webhook carries them (SelectedAttribute), with `changes` by slug:
        a dropdown value's Chinese name, a number or a text ("" clears)."""
        by_id = {a["id"]: a for a in self.attributes.values()}
        values = {**(product.get("attributes") or {}), **changes}
        selected = []
        for attribute_id in self.type_attributes.get(product["productType"], []):
            attribute = by_id[attribute_id]
            name = values.get(attribute["slug"], "")
            value = {"name": name, "plainText": None, "externalReference": None}
            if attribute["inputType"] == "DROPDOWN":
                known = {c["name"]: c["externalReference"] for c in attribute["values"]}
                value["externalReference"] = known.get(name)
            elif attribute["inputType"] == "PLAIN_TEXT":
                value["plainText"] = name
            selected.append({"attribute": {"slug": attribute["slug"]}, "values": [value] if name else []})
        return selected

    def only_product(self) -> dict:
        assert len(self.products) == 1, list(self.products)
        return next(iter(self.products.values()))

    def prices(self, product: dict) -> dict[str, int]:
        return {var["sku"]: var["channelListings"][0]["fen"] for var in product["variants"]}
