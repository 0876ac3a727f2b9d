"""Replays real deliveries recorded from the live Saleor 3.24 (tests/recordings/saleor/order.*.json).

Recorded by test_live_orders.py with --record-saleor: a two-line order (4 + 2 items) with an
entire-order voucher of 7.00 USD, each line fulfilled from a different warehouse, charged by a payment
app; then one item of line 1 and then the shipping granted and refunded in Saleor (through the app's
TRANSACTION_REFUND_REQUESTED), then 5.55 refunded with no granted refund behind it.
"""

from __future__ import annotations

import json

import pytest

from orders.models import OrderLine
from payments import selectors as ledger
from payments.models import LedgerTransaction
from tests.recording import RECORDINGS
from unit_onboarding.models import Unit

from .conftest import unit_with_agreement

pytestmark = pytest.mark.django_db
PAID, LINE_REFUNDED, SHIPPING_REFUNDED, REFUNDED = (
    json.loads((RECORDINGS / f"order.{n}.json").read_text())
    for n in ("paid", "line_refunded", "shipping_refunded", "refunded")
)


def line_sums(order_ref: str) -> dict[str, int]:
    return {
        ref: sum(a for _, a, _ in parts) for ref, parts in ledger.order_line_nets(order_ref=order_ref).items()
    }


def test_recorded_order_lines_go_to_the_units_that_shipped_them_not_the_stale_allocation(deliver):
    order = PAID["order"]
    stale = order["lines"][0]["allocations"][0]  # Saleor keeps the original allocation at quantity 0
    assert stale["quantity"] == 0
    decoy = unit_with_agreement(1)
    Unit.objects.filter(pk=decoy.pk).update(saleor_warehouse_id=stale["warehouse"]["id"])
    shippers = {}
    for n, fulfilment in enumerate(order["fulfillments"], start=2):
        unit = unit_with_agreement(n)
        Unit.objects.filter(pk=unit.pk).update(saleor_warehouse_id=fulfilment["warehouse"]["id"])
        shippers[fulfilment["lines"][0]["orderLine"]["id"]] = unit.pk

    event = deliver("order_fully_paid", PAID)

    assert event.status == "done", event.last_error
    assert dict(OrderLine.objects.values_list("saleor_id", "unit")) == shippers
    nets = ledger.order_line_nets(order_ref=order["id"])
    for line in order["lines"]:  # Saleor folded the voucher into each line's total
        assert sum(a for _, a, _ in nets[line["id"]]) == line["totalPrice"]["net"]["fractionalAmount"]
    assert (
        sum(a for parties in nets.values() for _, a, _ in parties)
        == order["total"]["gross"]["fractionalAmount"]
    )

    paid = line_sums(order["id"])
    line1 = order["lines"][0]["id"]
    event = deliver("order_refunded", LINE_REFUNDED)

    assert event.status == "done", event.last_error
    (granted,) = LINE_REFUNDED["order"]["grantedRefunds"]
    assert granted["lines"] == [{"orderLine": {"id": line1}, "quantity": 1}]
    after_line = line_sums(order["id"])
    assert {ref: paid[ref] - after_line[ref] for ref in paid if paid[ref] != after_line[ref]} == {
        line1: granted["amount"]["fractionalAmount"]  # one item at its unit price, off line 1 alone
    }

    event = deliver("order_refunded", SHIPPING_REFUNDED)

    assert event.status == "done", event.last_error
    after_shipping = line_sums(order["id"])
    assert after_shipping == {**after_line, "shipping": 0}

    event = deliver("order_refunded", REFUNDED)

    assert event.status == "done", event.last_error
    last = LedgerTransaction.objects.filter(kind="refund").latest("pk")
    assert sum(last.split_lines.values_list("amount", flat=True)) == -555
    assert sum(line_sums(order["id"]).values()) == order["total"]["gross"]["fractionalAmount"] - (
        granted["amount"]["fractionalAmount"] + after_line["shipping"] + 555
    )
    assert ledger.transactions_unbalanced() == []


def test_recorded_refund_delivered_first_posts_payment_and_refund_once(deliver):
    for n, fulfilment in enumerate(PAID["order"]["fulfillments"], start=1):
        unit = unit_with_agreement(n)
        Unit.objects.filter(pk=unit.pk).update(saleor_warehouse_id=fulfilment["warehouse"]["id"])

    statuses = [deliver(t, p).status for t, p in (("order_refunded", REFUNDED), ("order_fully_paid", PAID))]
    statuses.append(deliver("order_refunded", REFUNDED).status)  # a redelivery of the same body

    assert statuses == ["done", "done", "done"]
    assert sorted(LedgerTransaction.objects.values_list("kind", flat=True)) == ["payment"] + ["refund"] * 3
    # posted in Saleor's order (line, shipping, then the unscoped 5.55), whatever the delivery order
    assert line_sums(PAID["order"]["id"])["shipping"] == 0
