"""Replays real deliveries recorded from the live Saleor 3.24 (tests/recordings/saleor/order.*.json).

Recorded by test_live_orders.py with --record-saleor: a two-line order with an entire-order voucher of
7.00 USD, each line fulfilled from a different warehouse, charged, then refunded 5.55.
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
PAID, REFUNDED = (json.loads((RECORDINGS / f"order.{n}.json").read_text()) for n in ("paid", "refunded"))


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

    event = deliver("order_refunded", REFUNDED)

    assert event.status == "done", event.last_error
    refund = LedgerTransaction.objects.get(kind="refund")
    assert sum(refund.split_lines.values_list("amount", flat=True)) == -555
    assert ledger.transactions_unbalanced() == []


def test_recorded_refund_delivered_first_posts_payment_and_refund_once(deliver):
    for n, fulfilment in enumerate(PAID["order"]["fulfillments"], start=1):
        unit = unit_with_agreement(n)
        Unit.objects.filter(pk=unit.pk).update(saleor_warehouse_id=fulfilment["warehouse"]["id"])

    statuses = [deliver(t, p).status for t, p in (("order_refunded", REFUNDED), ("order_fully_paid", PAID))]
    statuses.append(deliver("order_refunded", REFUNDED).status)  # a redelivery of the same body

    assert statuses == ["done", "done", "done"]
    assert sorted(LedgerTransaction.objects.values_list("kind", flat=True)) == ["payment", "refund"]
