"""Live Saleor: a paid two-unit order with a voucher, split to the fen; partial, line and shipping refunds
reversed exactly (the line and shipping ones granted in Saleor and refunded through a payment app)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from orders.models import OrderLine
from payments import selectors as ledger
from payments.funding.services import funding_approve, funding_propose
from payments.models import LedgerTransaction
from saleor_app.client import SaleorClient
from saleor_app.models import SaleorInstallation, WebhookEvent
from tests.live_saleor import wait_until
from tests.live_shop import ProductSpec, own_shop
from tests.recording import RECORDINGS, save_delivery
from tests.unit_onboarding.factories import platform_finance_user

from . import live_order
from .conftest import unit_with_agreement

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db]


def line_sums(order_ref: str) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for ref, parties in ledger.order_line_nets(order_ref=order_ref).items():
        out[ref] = sum(amount for _, amount, _ in parties)
    return dict(out)


@pytest.fixture
def shop(staff):
    """Two products of the test's own, each stocked in a warehouse of its own, sold in a channel of its own:
    no promotion, voucher or tax rate that others made in that Saleor applies to them."""
    products = [
        ProductSpec("实况测试书签", "12.50", warehouse=0),
        ProductSpec("实况测试笔记本", "35.00", warehouse=1),
    ]
    with own_shop(staff, products, warehouses=2) as made:
        yield made


def line_of(order: dict, variant_id: str) -> dict:
    return next(line for line in order["lines"] if line["variant"]["id"] == variant_id)


def place_with_voucher(staff, shop, voucher_amount: str, *, quantities: tuple[int, int]) -> tuple[str, str]:
    """Staff places an order of the shop's two products with an entire-order voucher made for it (deleted
    once the order holds it). Returns the order's id and the voucher's code."""
    voucher_id, code = live_order.voucher_create(staff, shop.channel_id, voucher_amount)
    try:
        order_id = live_order.order_place(
            staff,
            channel_id=shop.channel_id,
            variants=[(p.variant_id, q) for p, q in zip(shop.products, quantities, strict=True)],
            voucher=code,
        )
    finally:
        live_order.voucher_delete(staff, voucher_id)
    return order_id, code


def charge_and_ship(saleor_api_url, app, staff, order_id, products, *, tracking, units):
    """Charges the placed order in full (by the app), ships 4 of the first product and 2 of the second, each
    from its own warehouse with our OrderFulfill operation (as the portal does), and makes units (numbered
    `units`, with agreements) owning those warehouses. Returns the placed order, the transaction, its two
    lines and the two units. (Saleor 3.24 showed no allocations on these staff-placed orders: lines resolve
    by fulfilment warehouse.)"""
    placed = live_order.delivery(staff, order_id)["order"]
    total = placed["total"]["gross"]
    txn = live_order.charge(app, order_id, str(total["fractionalAmount"] / 100), total["currency"])
    client = SaleorClient(saleor_api_url, staff.token)
    lines, owners = [], []
    for product, quantity, number in zip(products, (4, 2), units, strict=True):
        line = line_of(placed, product.variant_id)
        live_order.fulfil(
            client, order_id, line["id"], quantity, product.warehouse_id, f"{tracking}-{quantity}"
        )
        unit = unit_with_agreement(number)
        type(unit).objects.filter(pk=unit.pk).update(saleor_warehouse_id=product.warehouse_id)
        lines.append(line)
        owners.append(unit)
    return placed, txn, lines, owners


def test_paid_two_unit_order_with_voucher_then_partial_line_and_shipping_refunds(
    saleor_api_url, deliver, record_saleor, app, staff, shop
):
    order_id, _ = place_with_voucher(staff, shop, "7.00", quantities=(4, 2))
    placed, txn, (line1, line2), (unit_a, unit_b) = charge_and_ship(
        saleor_api_url, app, staff, order_id, shop.products, tracking="SF-LIVE", units=(91, 92)
    )
    total = placed["total"]["gross"]
    recorded = {}

    paid = recorded["paid"] = live_order.delivery(staff, order_id)
    event = deliver("order_fully_paid", paid)

    assert event.status == "done", event.last_error
    assert dict(OrderLine.objects.values_list("saleor_id", "unit")) == {
        line1["id"]: unit_a.pk,
        line2["id"]: unit_b.pk,
    }
    lines = paid["order"]["lines"]
    expected = {ln["id"]: ln["totalPrice"]["net"]["fractionalAmount"] for ln in lines}
    sums = line_sums(order_id)
    assert {ref: sums[ref] for ref in expected} == expected  # each line's net after its voucher share
    assert sum(sums.values()) == total["fractionalAmount"]
    assert placed["undiscountedTotal"]["gross"]["fractionalAmount"] - total["fractionalAmount"] == 700
    assert ledger.transactions_unbalanced() == []

    # one of line 1's items, granted and refunded in Saleor: only line 1's parties give it back
    before = line_sums(order_id)
    granted = live_order.refund_granted(staff, order_id, txn, lines=[(line1["id"], 1)])
    line_refunded = recorded["line_refunded"] = live_order.delivery(staff, order_id)
    event = deliver("order_refunded", line_refunded)

    assert event.status == "done", event.last_error
    assert granted == line1["unitPrice"]["gross"]["fractionalAmount"]  # what Saleor grants per item
    after = line_sums(order_id)
    line1_refs = [ref for ref in after if ref.startswith(line1["id"])]  # the line and its tax line
    assert sum(before[r] - after[r] for r in line1_refs) == granted
    assert {r: v for r, v in after.items() if r not in line1_refs} == {
        r: v for r, v in before.items() if r not in line1_refs
    }
    refund = LedgerTransaction.objects.get(kind="refund", order_ref=order_id)
    assert {s.line_ref for s in refund.split_lines.all()} <= set(line1_refs)

    # the shipping, granted and refunded: only the shipping recipe gives it back
    granted_shipping = live_order.refund_granted(staff, order_id, txn, shipping=True)
    shipping_refunded = recorded["shipping_refunded"] = live_order.delivery(staff, order_id)
    event = deliver("order_refunded", shipping_refunded)

    assert event.status == "done", event.last_error
    assert granted_shipping == placed["shippingPrice"]["gross"]["fractionalAmount"] > 0
    final = line_sums(order_id)
    shipping_refs = [ref for ref in final if ref.startswith("shipping")]
    assert {r: final[r] for r in shipping_refs} == dict.fromkeys(shipping_refs, 0)
    assert {r: v for r, v in final.items() if r not in shipping_refs} == {
        r: v for r, v in after.items() if r not in shipping_refs
    }

    # a refund with no granted refund behind it (made at the processor): spread over what is left
    live_order.refund(app, txn, "5.55")
    refunded = recorded["refunded"] = live_order.delivery(staff, order_id)
    event = deliver("order_refunded", refunded)

    assert event.status == "done", event.last_error
    last = LedgerTransaction.objects.filter(kind="refund", order_ref=order_id).latest("pk")
    assert sum(last.split_lines.values_list("amount", flat=True)) == -555
    assert sum(line_sums(order_id).values()) == total["fractionalAmount"] - granted - granted_shipping - 555
    assert ledger.transactions_unbalanced() == []
    if record_saleor:
        for name, payload in recorded.items():
            path = RECORDINGS / f"order.{name}.json"
            path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


@pytest.mark.django_db(transaction=True)
def test_installed_app_receives_signed_order_events_with_the_projection_shape(
    shop, installed_app, staff, saleor_api_url, settings, record_saleor
):
    order_id, _ = place_with_voucher(staff, shop, "1.00", quantities=(2, 1))

    # The app gets whatever happens in that Saleor, after other apps' deliveries: this order's event counts.
    created = WebhookEvent.objects.filter(event_type="order_created", payload__order__id=order_id)
    event = wait_until(f"ORDER_CREATED of {order_id} stored by this installation", created.first)

    order = event.payload["order"]
    assert event.payload["issuedAt"]
    assert isinstance(order["total"]["gross"]["fractionalAmount"], int)
    assert order["lines"][0]["totalPrice"]["net"]["currency"] == order["total"]["gross"]["currency"]
    # no unit owns the shop's warehouses: parked with its reason, nothing posted
    settled = WebhookEvent.objects.filter(pk=event.pk).exclude(status__in=["pending", "failed"])
    processed = wait_until(f"ORDER_CREATED of {order_id} processed", settled.first)
    assert processed.status == "parked"
    assert "unit_unresolved" in processed.last_error
    if record_saleor:
        installation = SaleorInstallation.objects.get()
        save_delivery(
            "order_created",
            {
                "api_url": installation.api_url,
                "app_id": installation.app_id,  # the delivery's recipient
                "event": "order_created",
                "target": "/saleor/webhooks/order-changes",
                "body": event.body,
                "signature": event.signature,
                "jwks": httpx.get(installation.jwks_url, timeout=10).json(),
            },
        )


def test_a_platform_funded_voucher_pays_units_the_undiscounted_price_and_a_line_refund_unwinds_it(
    saleor_api_url, deliver, app, staff, shop
):
    """Live: an entire-order voucher of 7.00 funded by the platform (a rule approved before the charge)."""
    order_id, code = place_with_voucher(staff, shop, "7.00", quantities=(4, 2))
    approved = datetime.now(UTC) - timedelta(minutes=1)
    proposal = funding_propose(key=code, funder="platform", actor=platform_finance_user(), now=approved)
    funding_approve(version_id=proposal.pk, actor=platform_finance_user(), now=approved)
    placed, txn, (line1, _), _ = charge_and_ship(
        saleor_api_url, app, staff, order_id, shop.products, tracking="SF-FUND", units=(93, 94)
    )
    total = placed["total"]["gross"]

    paid = live_order.delivery(staff, order_id)
    event = deliver("order_fully_paid", paid)

    assert event.status == "done", event.last_error
    assert [d["type"] for d in paid["order"]["discounts"]] == ["VOUCHER"]
    # each line knows the voucher reduced it and by how much (all of its discount)
    for line in paid["order"]["lines"]:
        off = (line[k]["net"]["fractionalAmount"] for k in ("undiscountedTotalPrice", "totalPrice"))
        assert [(d["key"], d["amount"]) for d in OrderLine.objects.get(saleor_id=line["id"]).discounts] == [
            (code, next(off) - next(off))
        ]
    sums = line_sums(order_id)
    for line in paid["order"]["lines"]:  # the parties share the undiscounted price; the platform funds 7.00
        undiscounted, net = (
            line[k]["net"]["fractionalAmount"] for k in ("undiscountedTotalPrice", "totalPrice")
        )
        assert (sums[line["id"]], sums[f"{line['id']}:discount"]) == (undiscounted, net - undiscounted)
    assert sum(v for r, v in sums.items() if r.endswith(":discount")) == -700
    assert sum(sums.values()) == total["fractionalAmount"]
    assert ledger.transactions_unbalanced() == []

    # one item of line 1 granted and refunded: its parties give back about one undiscounted item
    before = line_sums(order_id)
    granted = live_order.refund_granted(staff, order_id, txn, lines=[(line1["id"], 1)])
    event = deliver("order_refunded", live_order.delivery(staff, order_id))

    assert event.status == "done", event.last_error
    after = line_sums(order_id)
    ref = line1["id"]
    assert (before[ref] + before[f"{ref}:discount"]) - (after[ref] + after[f"{ref}:discount"]) == granted
    undiscounted = line1["undiscountedTotalPrice"]["net"]["fractionalAmount"]
    # 3 of the 4 items left, as if undiscounted (12.50 each); the funding kept pro rata rounds to the fen
    assert abs(after[ref] - undiscounted * 3 // 4) <= 1
    assert ledger.transactions_unbalanced() == []
