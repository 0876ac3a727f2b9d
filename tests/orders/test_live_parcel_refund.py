"""Live Saleor: a unit's parcel refund asked, approved by another member, granted and refunded in Saleor
through the order's payment app with our named operations, then reversed on that unit's lines only."""

from __future__ import annotations

import pytest

from orders import parcel_refunds
from orders.models import Order, OrderLine, ParcelRefund
from payments import selectors as ledger
from saleor_app.client import SaleorClient
from tests.live_saleor import wait_until
from tests.unit_onboarding.factories import operator_of
from unit_onboarding.models import UnitMembership

from . import live_order
from .conftest import unit_with_agreement
from .test_live_orders import line_of, line_sums, shop  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db]


def test_a_parcel_refund_is_granted_and_refunded_in_saleor_and_reversed_on_its_unit(
    deliver,
    app,
    staff,
    shop,  # noqa: F811
):
    product_1, product_2 = shop.products
    order_id = live_order.order_place(
        staff, channel_id=shop.channel_id, variants=[(product_1.variant_id, 3), (product_2.variant_id, 1)]
    )
    placed = live_order.delivery(staff, order_id)["order"]
    total = placed["total"]["gross"]
    live_order.charge(app, order_id, str(total["fractionalAmount"] / 100), total["currency"])
    unit_a, unit_b = unit_with_agreement(93), unit_with_agreement(94)
    type(unit_a).objects.filter(pk=unit_a.pk).update(saleor_warehouse_id=product_1.warehouse_id)
    type(unit_b).objects.filter(pk=unit_b.pk).update(saleor_warehouse_id=product_2.warehouse_id)
    assert deliver("order_fully_paid", live_order.delivery(staff, order_id)).status == "done"
    order = Order.objects.get(saleor_id=order_id)
    line1 = line_of(placed, product_1.variant_id)
    local_line = OrderLine.objects.get(saleor_id=line1["id"])
    operator, finance = operator_of(unit_a), operator_of(unit_a, role=UnitMembership.Role.FINANCE)
    before = line_sums(order_id)

    refund = parcel_refunds.parcel_refund_request(
        unit=unit_a,
        order=order,
        quantities={local_line.pk: 2},
        shipping=False,
        reason="实况测试退款",
        actor=operator,
    )
    done = parcel_refunds.parcel_refund_approve(
        refund_id=refund.pk, actor=finance, client=SaleorClient(staff.api_url, app.token)
    )

    assert done.status == ParcelRefund.Status.REFUNDING, done.last_error
    assert refund.amount == 2 * line1["unitPrice"]["gross"]["fractionalAmount"]
    query = "query($id: ID!) { order(id: $id) { grantedRefunds { id status amount { fractionalAmount } } } }"

    def granted():
        grants = staff.gql(query, {"id": order_id})["order"]["grantedRefunds"]
        grant = next(g for g in grants if g["id"] == done.saleor_granted_refund_id)
        return grant if grant["status"] in {"SUCCESS", "FAILURE"} else None

    grant = wait_until("the parcel refund to be refunded by the payment app", granted)
    assert (grant["status"], grant["amount"]["fractionalAmount"]) == ("SUCCESS", refund.amount)

    event = deliver("order_refunded", live_order.delivery(staff, order_id))

    assert event.status == "done", event.last_error
    after = line_sums(order_id)
    line1_refs = [ref for ref in after if ref.startswith(line1["id"])]
    assert sum(before[r] - after[r] for r in line1_refs) == refund.amount
    assert {r: v for r, v in after.items() if r not in line1_refs} == {
        r: v for r, v in before.items() if r not in line1_refs
    }
    assert ledger.transactions_unbalanced() == []
