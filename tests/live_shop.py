"""A shop of the live test's own in whatever Saleor it runs against, made and removed as staff would.

Its channel is new (a unique slug), so no promotion, voucher or shipping zone anyone else made applies to
it, and its settings are pinned here: currency, transaction flow, order confirmation, taxes off (no
foreign tax rate changes a figure). Its warehouses, shipping zone (China, one priced method), category,
product type and products are new too. Everything is deleted afterwards; Saleor cannot delete orders, so
the orders a test placed are moved to one inactive archive channel (ARCHIVE_SLUG) before the channel goes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.live_saleor import StaffSession, wait_until

ARCHIVE_SLUG = "wc-live-test-orders"  # inactive: where orders placed by live tests end up
# A mainland address Saleor's address data accepts (warehouses, staff-placed orders).
CN_ADDRESS = {
    "streetAddress1": "浆洗街1号",
    "city": "成都市",
    "cityArea": "武侯区",
    "countryArea": "四川省",
    "postalCode": "610041",
    "country": "CN",
}
SHIPPING_PRICE = "10.00"


@dataclass(frozen=True)
class ProductSpec:
    name: str
    price: str  # major units, as Saleor takes it
    warehouse: int = 0  # index into the shop's warehouses: the only one stocking it
    quantity: int = 100
    metadata: tuple[tuple[str, str], ...] = ()


@dataclass
class Product:
    id: str
    slug: str
    name: str
    variant_id: str
    warehouse_id: str
    price: str


@dataclass
class Shop:
    channel_id: str
    channel_slug: str
    currency: str
    warehouse_ids: list[str]
    category: dict  # {"id", "slug", "name"}
    product_type_id: str
    products: list[Product] = field(default_factory=list)
    zone_id: str = ""


def _ok(payload: dict, name: str) -> dict:
    result = payload[name]
    assert not result.get("errors"), f"{name}: {result['errors']}"
    return result


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def channel_create(
    staff: StaffSession, *, currency: str = "CNY", flow: str = "CHARGE", warehouse_ids: list[str] = ()
) -> dict:
    """A new active channel selling to China, its order, payment and tax settings pinned; {"id", "slug"}."""
    slug = _unique("wc-live")
    channel = _ok(
        staff.gql(
            "mutation($i: ChannelCreateInput!) { channelCreate(input: $i) {"
            " channel { id slug taxConfiguration { id } } errors { field code message } } }",
            {
                "i": {
                    "name": f"Live test {slug}",
                    "slug": slug,
                    "currencyCode": currency,
                    "defaultCountry": "CN",
                    "isActive": True,
                    "addWarehouses": list(warehouse_ids),
                    "stockSettings": {"allocationStrategy": "PRIORITIZE_SORTING_ORDER"},
                    "orderSettings": {
                        "automaticallyConfirmAllNewOrders": True,
                        "allowUnpaidOrders": False,
                        "markAsPaidStrategy": "TRANSACTION_FLOW",
                    },
                    "paymentSettings": {"defaultTransactionFlowStrategy": flow},
                }
            },
        ),
        "channelCreate",
    )["channel"]
    _ok(
        staff.gql(
            "mutation($id: ID!, $i: TaxConfigurationUpdateInput!)"
            " { taxConfigurationUpdate(id: $id, input: $i) { errors { field code message } } }",
            {
                "id": channel["taxConfiguration"]["id"],
                "i": {
                    "chargeTaxes": False,
                    "taxCalculationStrategy": "FLAT_RATES",
                    "pricesEnteredWithTax": True,
                    "displayGrossPrices": True,
                },
            },
        ),
        "taxConfigurationUpdate",
    )
    return {"id": channel["id"], "slug": channel["slug"]}


def channel_delete(staff: StaffSession, channel_id: str) -> None:
    """Delete the channel; its orders (if any) move to the archive channel first, as Saleor requires."""
    channel = staff.gql(
        "query($id: ID!) { channel(id: $id) { id currencyCode hasOrders } }", {"id": channel_id}
    )["channel"]
    if channel is None:
        return
    variables: dict = {"id": channel_id}
    query = "mutation($id: ID!) { channelDelete(id: $id) { errors { field code message } } }"
    if channel["hasOrders"]:
        variables["target"] = _archive(staff, channel["currencyCode"])
        query = (
            "mutation($id: ID!, $target: ID!) { channelDelete(id: $id, input: {channelId: $target})"
            " { errors { field code message } } }"
        )
    _ok(staff.gql(query, variables), "channelDelete")


def _archive(staff: StaffSession, currency: str) -> str:
    slug = f"{ARCHIVE_SLUG}-{currency.lower()}"
    find = "query($s: String!) { channel(slug: $s) { id } }"
    if found := staff.gql(find, {"s": slug})["channel"]:
        return found["id"]
    created = staff.gql(
        "mutation($i: ChannelCreateInput!) { channelCreate(input: $i) {"
        " channel { id } errors { field code message } } }",
        {
            "i": {
                "name": f"Orders of Wenchuang live tests ({currency})",
                "slug": slug,
                "currencyCode": currency,
                "defaultCountry": "CN",
                "isActive": False,
            }
        },
    )["channelCreate"]
    if created["errors"]:  # another run made it meanwhile
        return staff.gql(find, {"s": slug})["channel"]["id"]
    return created["channel"]["id"]


def warehouse_create(staff: StaffSession) -> str:
    slug = _unique("wc-live-wh")
    return _ok(
        staff.gql(
            "mutation($i: WarehouseCreateInput!) { createWarehouse(input: $i)"
            " { warehouse { id } errors { field code message } } }",
            {"i": {"name": f"Live test {slug}", "slug": slug, "address": CN_ADDRESS}},
        ),
        "createWarehouse",
    )["warehouse"]["id"]


def _shipping_zone_create(staff: StaffSession, channel_id: str, warehouse_ids: list[str]) -> str:
    zone = _ok(
        staff.gql(
            "mutation($i: ShippingZoneCreateInput!) { shippingZoneCreate(input: $i)"
            " { shippingZone { id } errors { field code message } } }",
            {
                "i": {
                    "name": _unique("wc-live-zone"),
                    "countries": ["CN"],
                    "addWarehouses": warehouse_ids,
                    "addChannels": [channel_id],
                }
            },
        ),
        "shippingZoneCreate",
    )["shippingZone"]
    method = _ok(
        staff.gql(
            "mutation($i: ShippingPriceInput!) { shippingPriceCreate(input: $i)"
            " { shippingMethod { id } errors { field code message } } }",
            {"i": {"name": "Live test standard", "type": "PRICE", "shippingZone": zone["id"]}},
        ),
        "shippingPriceCreate",
    )["shippingMethod"]
    _ok(
        staff.gql(
            "mutation($id: ID!, $i: ShippingMethodChannelListingInput!)"
            " { shippingMethodChannelListingUpdate(id: $id, input: $i) { errors { field code message } } }",
            {"id": method["id"], "i": {"addChannels": [{"channelId": channel_id, "price": SHIPPING_PRICE}]}},
        ),
        "shippingMethodChannelListingUpdate",
    )
    return zone["id"]


def catalogue_create(staff: StaffSession, *, attribute_ids: list[str] = ()) -> tuple[dict, str]:
    """A category and a shippable product type of the test's own: ({"id", "slug", "name"}, type id)."""
    slug = _unique("wc-live-cat")
    category = _ok(
        staff.gql(
            "mutation($i: CategoryInput!) { categoryCreate(input: $i)"
            " { category { id slug name } errors { field code message } } }",
            {"i": {"name": f"实况测试 {slug[-10:]}", "slug": slug}},
        ),
        "categoryCreate",
    )["category"]
    slug = _unique("wc-live-type")
    product_type = _ok(
        staff.gql(
            "mutation($i: ProductTypeInput!) { productTypeCreate(input: $i)"
            " { productType { id } errors { field code message } } }",
            {
                "i": {
                    "name": f"Live test {slug}",
                    "slug": slug,
                    "kind": "NORMAL",
                    "isShippingRequired": True,
                    "productAttributes": list(attribute_ids),
                }
            },
        ),
        "productTypeCreate",
    )["productType"]
    return category, product_type["id"]


def catalogue_delete(staff: StaffSession, category_id: str, product_type_id: str) -> None:
    staff.gql(
        "mutation($id: ID!) { productTypeDelete(id: $id) { errors { message } } }", {"id": product_type_id}
    )
    staff.gql("mutation($id: ID!) { categoryDelete(id: $id) { errors { message } } }", {"id": category_id})


def product_create(
    staff: StaffSession,
    *,
    category_id: str,
    product_type_id: str,
    spec: ProductSpec,
    channel_id: str | None = None,
    warehouse_id: str | None = None,
) -> Product:
    """A product with one variant, stocked in `warehouse_id` and sold in `channel_id` when given."""
    slug = _unique("wc-live-product")
    product = _ok(
        staff.gql(
            "mutation($i: ProductCreateInput!) { productCreate(input: $i)"
            " { product { id slug name } errors { field code message } } }",
            {
                "i": {
                    "productType": product_type_id,
                    "category": category_id,
                    "name": spec.name,
                    "slug": slug,
                    "metadata": [{"key": k, "value": v} for k, v in spec.metadata],
                }
            },
        ),
        "productCreate",
    )["product"]
    create = (
        "mutation($i: ProductVariantCreateInput!) { productVariantCreate(input: $i)"
        " { productVariant { id } errors { field code message } } }"
    )
    # Saleor indexes a new product for search in a periodic task of its worker's beat, which may not run
    # for a long while (3.24's beat waits on the first entry of its schedule; while no checkout, page or
    # gift card changes it stays there). Deleting a product's default variant makes Saleor index the product
    # at once (productVariantBulkDelete): a stand-in variant is made first, the product's default, and
    # deleted once the real one exists.
    stand_in = _ok(
        staff.gql(create, {"i": {"product": product["id"], "attributes": [], "sku": f"{slug}-0"}}),
        "productVariantCreate",
    )["productVariant"]
    variant = _ok(
        staff.gql(
            create,
            {
                "i": {
                    "product": product["id"],
                    "attributes": [],
                    "sku": slug,
                    "trackInventory": True,
                    "stocks": [{"warehouse": w, "quantity": spec.quantity} for w in [warehouse_id] if w],
                }
            },
        ),
        "productVariantCreate",
    )["productVariant"]
    _ok(
        staff.gql(
            "mutation($ids: [ID!]!) { productVariantBulkDelete(ids: $ids)"
            " { errors { field code message } } }",
            {"ids": [stand_in["id"]]},
        ),
        "productVariantBulkDelete",
    )
    if channel_id:
        _ok(
            staff.gql(
                "mutation($id: ID!, $i: ProductChannelListingUpdateInput!)"
                " { productChannelListingUpdate(id: $id, input: $i) { errors { field code message } } }",
                {
                    "id": product["id"],
                    "i": {
                        "updateChannels": [
                            {
                                "channelId": channel_id,
                                "isPublished": True,
                                "visibleInListings": True,
                                "isAvailableForPurchase": True,
                            }
                        ]
                    },
                },
            ),
            "productChannelListingUpdate",
        )
        _ok(
            staff.gql(
                "mutation($id: ID!, $i: [ProductVariantChannelListingAddInput!]!)"
                " { productVariantChannelListingUpdate(id: $id, input: $i)"
                " { errors { field code message } } }",
                {"id": variant["id"], "i": [{"channelId": channel_id, "price": spec.price}]},
            ),
            "productVariantChannelListingUpdate",
        )
    return Product(
        id=product["id"],
        slug=product["slug"],
        name=product["name"],
        variant_id=variant["id"],
        warehouse_id=warehouse_id or "",
        price=spec.price,
    )


def product_delete(staff: StaffSession, product_id: str) -> None:
    staff.gql("mutation($id: ID!) { productDelete(id: $id) { errors { message } } }", {"id": product_id})


@contextmanager
def own_product(staff: StaffSession, name: str = "实况测试商品") -> Iterator[Product]:
    """One product in no channel, in a category and product type of its own; all deleted afterwards."""
    category, product_type_id = catalogue_create(staff)
    try:
        yield product_create(
            staff,
            category_id=category["id"],
            product_type_id=product_type_id,
            spec=ProductSpec(name=name, price="1.00"),
        )
    finally:
        catalogue_delete(staff, category["id"], product_type_id)  # deletes the type's products


@contextmanager
def own_shop(
    staff: StaffSession,
    products: list[ProductSpec] = (),
    *,
    warehouses: int = 1,
    currency: str = "CNY",
    flow: str = "CHARGE",
    attribute_ids: list[str] = (),
) -> Iterator[Shop]:
    """A channel, warehouses, a China shipping zone, a category, a product type and the products, all new."""
    shop = None
    warehouse_ids: list[str] = []
    try:
        warehouse_ids = [warehouse_create(staff) for _ in range(warehouses)]
        channel = channel_create(staff, currency=currency, flow=flow, warehouse_ids=warehouse_ids)
        shop = Shop(channel["id"], channel["slug"], currency, warehouse_ids, {}, "")
        shop.zone_id = _shipping_zone_create(staff, shop.channel_id, warehouse_ids)
        shop.category, shop.product_type_id = catalogue_create(staff, attribute_ids=attribute_ids)
        for spec in products:
            shop.products.append(
                product_create(
                    staff,
                    category_id=shop.category["id"],
                    product_type_id=shop.product_type_id,
                    spec=spec,
                    channel_id=shop.channel_id,
                    warehouse_id=warehouse_ids[spec.warehouse],
                )
            )
        yield shop
    finally:
        if shop is not None:
            for product in shop.products:
                product_delete(staff, product.id)
            if shop.product_type_id:
                catalogue_delete(staff, shop.category["id"], shop.product_type_id)
            if shop.zone_id:
                staff.gql(
                    "mutation($id: ID!) { shippingZoneDelete(id: $id) { errors { message } } }",
                    {"id": shop.zone_id},
                )
            channel_delete(staff, shop.channel_id)
        for warehouse_id in warehouse_ids:
            staff.gql(
                "mutation($id: ID!) { deleteWarehouse(id: $id) { errors { message } } }", {"id": warehouse_id}
            )


def searchable(staff: StaffSession, shop: Shop, text: str, product: Product) -> None:
    """Make sure Saleor's search finds the product by `text` in the shop's channel (product_create had it
    indexed; the channel's listing may take a moment)."""
    query = (
        "query($c: String!, $q: String!) { products(first: 20, channel: $c, search: $q)"
        " { edges { node { id } } } }"
    )
    wait_until(
        f"Saleor's search to find {product.name!r} by {text!r} in channel {shop.channel_slug}",
        lambda: any(
            e["node"]["id"] == product.id
            for e in staff.gql(query, {"c": shop.channel_slug, "q": text})["products"]["edges"]
        ),
        every=2.0,
    )
