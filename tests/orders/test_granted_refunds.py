"""Refunds Saleor grants for given lines or shipping reverse exactly those lines' parties."""

from __future__ import annotations

import pytest
from django.db import transaction

from orders.payload import order_data
from payments import selectors as ledger
from payments.models import LedgerTransaction, SplitLine
from payments.split import allocate
from saleor_app.models import WebhookEvent

from .payloads import Line, SaleorOrder, two_unit_order
from .test_order_events import ledger_state, line_sums

pytestmark = pytest.mark.django_db
Status = WebhookEvent.Status
LATER = "2026-11-27T11:00:00+00:00"


def refunded(order: SaleorOrder, deliver, n: int = 1) -> WebhookEvent:
    order.updated_at = f"2026-11-27T11:0{n}:01+00:00"
    return deliver("order_refunded", order.payload(issued_at=f"2026-11-27T11:0{n}:02+00:00"))


def agreement_split(line_ref: str, amount: int) -> list[int]:
    shares = SplitLine.objects.filter(line_ref=line_ref, transaction__kind="payment").order_by("position")
    return allocate(amount, [s.bps for s in shares])


def test_granted_refunds_are_parsed_with_their_lines_shipping_and_events(units):
    order = two_unit_order(units).paid()
    order.refund_granted("refund-1", 3400, LATER, lines=(("line-a", 1),), shipping=True)

    data = order_data(order.payload())

    (granted,) = data.granted_refunds
    assert (granted.amount, granted.shipping_included) == (3400, True)
    assert granted.line_quantities == (("line-a", 1),)
    assert data.granted_refund_of("refund-1") is granted and data.granted_refund_of("charge-1") is None


def test_a_line_refund_reverses_only_that_line_and_exactly_its_refunded_items(units, deliver):
    order = two_unit_order(units).paid()
    deliver("order_fully_paid", order.payload())
    order.refund_granted("refund-1", 2400, LATER, lines=(("line-a", 1),))  # 1 of 3 items at 24.00

    event = refunded(order, deliver)

    assert event.status == Status.DONE, event.last_error
    assert line_sums("order-1") == {"line-a": 4800, "line-b": 8600, "shipping": 1000}
    a = [amount for _, amount, _ in ledger.order_line_nets(order_ref="order-1")["line-a"]]
    assert a == agreement_split("line-a", 4800)  # each party holds the split of what is left
    assert ledger.transactions_unbalanced() == []


def test_a_shipping_refund_reverses_the_shipping_recipe_only(units, deliver):
    order = two_unit_order(units).paid()
    deliver("order_fully_paid", order.payload())
    order.refund_granted("refund-1", 1000, LATER, shipping=True)

    event = refunded(order, deliver)

    assert event.status == Status.DONE, event.last_error
    assert line_sums("order-1") == {"line-a": 7200, "line-b": 8600, "shipping": 0}
    line_b = dict((p, a) for p, a, _ in ledger.order_line_nets(order_ref="order-1")["line-b"])
    assert ledger.party_owed(currency="CNY")[units[1].party_key] == line_b[units[1].party_key]  # no shipping


def test_a_line_refund_with_tax_reverses_the_line_and_its_tax_line(units, deliver):
    order = SaleorOrder(
        id="order-1",
        lines=[
            Line("line-a", units[0].saleor_warehouse_id, 5000, quantity=2, tax=1300),
            Line("line-b", units[1].saleor_warehouse_id, 3000),
        ],
        shipping=800,
    ).paid()
    deliver("order_fully_paid", order.payload())
    order.refund_granted("refund-1", 5650 + 800, LATER, lines=(("line-a", 1),), shipping=True)

    event = refunded(order, deliver)

    assert event.status == Status.DONE, event.last_error
    assert line_sums("order-1") == {"line-a": 5000, "line-a:tax": 650, "line-b": 3000, "shipping": 0}


def test_a_smaller_refund_of_a_granted_line_scales_within_it(units, deliver):
    order = two_unit_order(units).paid()
    deliver("order_fully_paid", order.payload())
    order.refund_granted("refund-1", 1000, LATER, lines=(("line-a", 1), ("line-b", 1)))

    event = refunded(order, deliver)

    assert event.status == Status.DONE, event.last_error
    sums = line_sums("order-1")
    assert (sums["line-a"], sums["line-b"], sums["shipping"]) == (
        7200 - allocate(1000, [2400, 8600])[0],
        8600 - allocate(1000, [2400, 8600])[1],
        1000,
    )


def test_an_unlinked_refund_or_one_above_its_granted_lines_is_spread_pro_rata(units, deliver):
    order = two_unit_order(units).paid()
    deliver("order_fully_paid", order.payload())
    order.refunds.append(("refund-1", 1680, LATER))  # no granted refund: Stripe dashboard, say
    order.refund_granted("refund-2", 3000, "2026-11-27T11:30:00+00:00", lines=(("line-a", 1),))  # > 24.00

    event = refunded(order, deliver)

    assert event.status == Status.DONE, event.last_error
    pro_rata = [1680 * net // 16800 for net in (7200, 8600, 1000)]  # 10%: exact here
    sums = line_sums("order-1")
    assert sum(sums.values()) == 16800 - 1680 - 3000
    assert sums["shipping"] < 1000 - pro_rata[2]  # the second refund reached shipping too: pro rata


def test_a_granted_line_refund_beyond_what_its_line_holds_spreads_only_the_excess(units, deliver):
    order = two_unit_order(units)
    order.extra_discount = 1600  # spread by the engine over the goods: line-a holds less than 72.00
    deliver("order_fully_paid", order.paid().payload())
    order.refund_granted("refund-1", 7200, LATER, lines=(("line-a", 3),))

    event = refunded(order, deliver)

    assert event.status == Status.DONE, event.last_error
    share_a, share_b = allocate(1600, [7200, 8600])
    excess = allocate(share_a, [8600 - share_b, 1000])  # what line-a no longer held, over the others
    assert line_sums("order-1") == {
        "line-a": 0,
        "line-b": 8600 - share_b - excess[0],
        "shipping": 1000 - excess[1],
    }


def test_after_an_order_level_refund_a_shipping_refund_empties_shipping_and_spreads_the_rest(units, deliver):
    order = two_unit_order(units).paid()
    deliver("order_fully_paid", order.payload())
    order.refunds.append(("refund-0", 1680, LATER))  # 10% of every line, shipping included
    order.refund_granted("refund-1", 1000, "2026-11-27T11:30:00+00:00", shipping=True)

    event = refunded(order, deliver)

    assert event.status == Status.DONE, event.last_error
    assert line_sums("order-1") == {
        "line-a": 6480 - allocate(100, [6480, 7740])[0],
        "line-b": 7740 - allocate(100, [6480, 7740])[1],
        "shipping": 0,
    }


def test_line_refunds_delivered_in_any_order_end_in_the_same_ledger(units, deliver):
    order = two_unit_order(units).paid()
    order.refund_granted("refund-1", 2400, LATER, lines=(("line-a", 1),))
    only_first = order.payload(issued_at="2026-11-27T11:00:02+00:00")
    order.refund_granted("refund-2", 4600, "2026-11-27T11:05:00+00:00", lines=(("line-b", 1),), shipping=True)
    order.updated_at = "2026-11-27T11:05:01+00:00"
    both = order.payload(issued_at="2026-11-27T11:05:02+00:00")

    def run(deliveries) -> tuple:
        with transaction.atomic():
            statuses = [deliver("order_refunded", payload).status for payload in deliveries]
            state = (statuses, ledger_state())
            transaction.set_rollback(True)
        return state

    forward, backward = run([only_first, both]), run([both, only_first, both])

    assert forward[0] == [Status.DONE] * 2 and backward[0][:2] == [Status.DONE] * 2
    assert forward[1] == backward[1]
    refunds = LedgerTransaction.objects.filter(kind="refund")
    assert not refunds.exists()  # both runs rolled back


def test_a_redelivery_without_granted_refunds_is_the_same_refund_not_a_conflict(units, deliver):
    order = two_unit_order(units).paid()
    deliver("order_fully_paid", order.payload())
    order.refund_granted("refund-1", 2400, LATER, lines=(("line-a", 1),))
    refunded(order, deliver)
    order.granted.clear()  # as an older subscription, or a delivery queued before it, would carry it

    event = refunded(order, deliver, n=2)

    assert event.status == Status.DONE, event.last_error
    assert LedgerTransaction.objects.filter(kind="refund").count() == 1
    assert line_sums("order-1")["line-a"] == 4800
