"""What the live promotion tests share: whether Saleor shows a product on sale, a two-unit order paid through
the payment app, and each party's net on a line of it."""

from __future__ import annotations

from payments import selectors as ledger
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
