"""What the live promotion tests share: a shop of the test's own selling two units' products, whether Saleor
shows a product on sale, a two-unit order paid through the payment app, each party's net on a line of it and
the discounts the line records."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from catalog.saleor_metadata import UNIT_ID
from orders.models import OrderLine
from payments import selectors as ledger
from tests.live_shop import ProductSpec, own_shop
from tests.orders import live_order

ON_SALE = "query($id: ID!, $c: String!) { product(id: $id, channel: $c) { pricing { onSale } } }"


def on_sale(staff, shop, product) -> bool:
    """Saleor shows the product on sale in the shop's channel (its price recalculation has run)."""
    return staff.gql(ON_SALE, {"id": product.id, "c": shop.channel_slug})["product"]["pricing"]["onSale"]


def party_nets(order_ref: str, line_ref: str) -> dict[str, int]:
    return {party: net for party, net, _fee in ledger.order_line_nets(order_ref=order_ref)[line_ref]}


def agreement_parties(unit) -> tuple[str, str, str, str]:
    """The unit's parties in agreement order (60 / 25 / 5 / 10 %): unit, entity, staff pool, platform."""
    return (unit.party_key, unit.operating_entity.party_key, f"staff_pool:{unit.uid}", "platform")


def shares(unit, nets: tuple[int, int, int, int]) -> dict[str, int]:
    """Each of the unit's parties' net on a line (as `party_nets` reads it), `nets` in agreement order."""
    return dict(zip(agreement_parties(unit), nets, strict=True))


def line_discounts(line_ref: str) -> list[tuple[str, int]]:
    """The discounts our order line records: (the rule's key, fen)."""
    return [(d["key"], d["amount"]) for d in OrderLine.objects.get(saleor_id=line_ref).discounts]


def bookmarks_and_fan_paid(staff, app, deliver, shop, bookmark, fan):
    """Two bookmarks and a fan ordered in the shop's channel, charged through the payment app and delivered
    as paid: (order id, transaction, the bookmarks' line, the fan's line, the paid event)."""
    order_id = live_order.order_place(
        staff, channel_id=shop.channel_id, variants=[(bookmark.variant_id, 2), (fan.variant_id, 1)]
    )
    placed = live_order.delivery(staff, order_id)["order"]
    total = placed["total"]["gross"]
    txn = live_order.charge(app, order_id, str(total["fractionalAmount"] / 100), total["currency"])
    museum_line = next(ln for ln in placed["lines"] if ln["variant"]["id"] == bookmark.variant_id)
    fan_line = next(ln for ln in placed["lines"] if ln["variant"]["id"] == fan.variant_id)
    event = deliver("order_fully_paid", live_order.delivery(staff, order_id))
    return order_id, txn, museum_line, fan_line, event


@contextmanager
def bookmark_and_fan_shop(staff, settings, museum, library, names: tuple[str, str]) -> Iterator[tuple]:
    """The museum's bookmark (60.00) and the library's fan (80.00), named `names`, each in a warehouse of its
    own, in a shop of the test's own that the storefront sells in: (shop, bookmark, fan); removed after."""
    specs = [
        ProductSpec(names[0], "60.00", warehouse=0, metadata=((UNIT_ID, str(museum.pk)),)),
        ProductSpec(names[1], "80.00", warehouse=1, metadata=((UNIT_ID, str(library.pk)),)),
    ]
    with own_shop(staff, specs, warehouses=2) as shop:
        settings.SALEOR_CHANNEL_SLUG = shop.channel_slug
        bookmark, fan = shop.products
        yield shop, bookmark, fan
