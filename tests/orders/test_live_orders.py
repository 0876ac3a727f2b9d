"""Live Saleor: a paid two-unit order with a voucher, split to the fen; a partial refund reversed exactly."""

from __future__ import annotations

import json
from collections import defaultdict

import httpx
import pytest

from orders.models import OrderLine
from payments import selectors as ledger
from payments.models import LedgerTransaction
from saleor_app.client import SaleorClient
from saleor_app.models import SaleorInstallation, WebhookEvent
from tests.live_saleor import StaffSession
from tests.recording import RECORDINGS, save_delivery
from tests.saleor_app.test_live_saleor import wait_for

from . import live_order
from .conftest import unit_with_agreement

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db]


def line_sums(order_ref: str) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for ref, parties in ledger.order_line_nets(order_ref=order_ref).items():
        out[ref] = sum(amount for _, amount, _ in parties)
    return dict(out)


def test_paid_two_unit_order_with_voucher_then_partial_refund(saleor_api_url, deliver, record_saleor):
    staff = StaffSession(saleor_api_url)
    channel = next(
        c for c in staff.gql("{ channels { id slug } }")["channels"] if c["slug"] == "default-channel"
    )
    variants = staff.gql(
        '{ productVariants(first: 50, channel: "default-channel")'
        " { edges { node { id preorder { endDate } quantityAvailable stocks { warehouse { id } } } } } }"
    )["productVariants"]["edges"]
    variants = [
        v for v in variants if v["node"]["preorder"] is None and (v["node"]["quantityAvailable"] or 0) > 5
    ][:2]
    voucher_id, code = live_order.voucher_create(staff, channel["id"], "7.00")
    try:
        order_id = live_order.order_place(
            staff,
            channel_id=channel["id"],
            variants=[(variants[0]["node"]["id"], 2), (variants[1]["node"]["id"], 1)],
            voucher=code,
        )
    finally:
        live_order.voucher_delete(staff, voucher_id)
    placed = live_order.delivery(staff, order_id)["order"]
    total = placed["total"]["gross"]
    txn = live_order.charge(staff, order_id, str(total["fractionalAmount"] / 100), total["currency"])

    # Each line shipped from its own warehouse with our OrderFulfill operation (as the portal does).
    # (Saleor 3.24 showed no allocations on these staff-placed orders: lines resolve by fulfilment warehouse.)
    line1, line2 = placed["lines"]
    warehouse_1 = variants[0]["node"]["stocks"][0]["warehouse"]["id"]
    warehouse_2 = next(
        s["warehouse"]["id"] for s in variants[1]["node"]["stocks"] if s["warehouse"]["id"] != warehouse_1
    )
    client = SaleorClient(saleor_api_url, staff.token)
    for line, warehouse, quantity in ((line1, warehouse_1, 2), (line2, warehouse_2, 1)):
        client.mutate(
            "OrderFulfill",
            {
                "order": order_id,
                "input": {
                    "lines": [
                        {
                            "orderLineId": line["id"],
                            "stocks": [{"quantity": quantity, "warehouse": warehouse}],
                        }
                    ],
                    "trackingNumber": f"SF-LIVE-{quantity}",
                },
            },
            "orderFulfill",
        )
    unit_a, unit_b = unit_with_agreement(91), unit_with_agreement(92)
    type(unit_a).objects.filter(pk=unit_a.pk).update(saleor_warehouse_id=warehouse_1)
    type(unit_b).objects.filter(pk=unit_b.pk).update(saleor_warehouse_id=warehouse_2)

    paid = live_order.delivery(staff, order_id)
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

    live_order.refund(staff, txn, "5.55", total["currency"])
    refunded = live_order.delivery(staff, order_id)
    event = deliver("order_refunded", refunded)

    assert event.status == "done", event.last_error
    refund = LedgerTransaction.objects.get(kind="refund", order_ref=order_id)
    assert sum(refund.split_lines.values_list("amount", flat=True)) == -555
    assert sum(line_sums(order_id).values()) == total["fractionalAmount"] - 555
    assert ledger.transactions_unbalanced() == []
    if record_saleor:
        for name, payload in (("paid", paid), ("refunded", refunded)):
            path = RECORDINGS / f"order.{name}.json"
            path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


@pytest.mark.django_db(transaction=True)
def test_installed_app_receives_signed_order_events_with_the_projection_shape(
    installed_app, staff, saleor_api_url, settings, record_saleor
):
    channel = next(
        c for c in staff.gql("{ channels { id slug } }")["channels"] if c["slug"] == "default-channel"
    )
    variants = staff.gql(
        '{ productVariants(first: 50, channel: "default-channel")'
        " { edges { node { id preorder { endDate } quantityAvailable } } } }"
    )["productVariants"]["edges"]
    shippable = [
        v["node"]["id"]
        for v in variants
        if v["node"]["preorder"] is None and (v["node"]["quantityAvailable"] or 0) > 5
    ][:2]
    voucher_id, code = live_order.voucher_create(staff, channel["id"], "1.00")
    try:
        order_id = live_order.order_place(
            staff, channel_id=channel["id"], variants=[(shippable[0], 2), (shippable[1], 1)], voucher=code
        )
    finally:
        live_order.voucher_delete(staff, voucher_id)

    created = WebhookEvent.objects.filter(event_type="order_created")
    wait_for(lambda: any(e.payload["order"]["id"] == order_id for e in created))
    event = next(e for e in created if e.payload["order"]["id"] == order_id)

    order = event.payload["order"]
    assert event.payload["issuedAt"]
    assert isinstance(order["total"]["gross"]["fractionalAmount"], int)
    assert order["lines"][0]["totalPrice"]["net"]["currency"] == order["total"]["gross"]["currency"]
    event.refresh_from_db()  # no unit owns the demo warehouses: parked with its reason, nothing posted
    wait_for(lambda: WebhookEvent.objects.get(pk=event.pk).status == "parked")
    assert "unit_unresolved" in WebhookEvent.objects.get(pk=event.pk).last_error
    if record_saleor:
        installation = SaleorInstallation.objects.get()
        save_delivery(
            "order_created",
            {
                "api_url": installation.api_url,
                "event": "order_created",
                "target": "/saleor/webhooks/order-changes",
                "body": event.body,
                "signature": event.signature,
                "jwks": httpx.get(installation.jwks_url, timeout=10).json(),
            },
        )
