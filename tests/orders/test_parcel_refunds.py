"""A unit's parcel refunded in one step: asked by a member, approved by another finance member, granted and
refunded in Saleor (its lines and the parcel's own shipping), reversed in the ledger on that parcel only."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
import respx
from django.urls import reverse

from orders import parcel_refunds
from orders.error_codes import OrderInputError
from orders.models import Order, ParcelRefund
from payments import selectors as ledger
from payments.models import FinanceAuditEvent
from saleor_app.client import SaleorClient
from saleor_app.models import WebhookEvent
from tests.auth import login_verified
from tests.shipping.conftest import NOW, museum_and_library, rates
from tests.shipping.test_split import order_of, priced, shipping_nets
from tests.unit_onboarding.factories import operator_of
from unit_onboarding.models import UnitMembership

pytestmark = pytest.mark.django_db
API = "https://saleor.example.cn/graphql/"
GRANTED = "granted-refund-9"  # what the fake Saleor names the grant; the refund event is "refund-9"


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def paid(deliver):
    """Museum 3 x 25.00 with its 14.00 parcel, library 88.00 with its 8.00 parcel: paid and posted."""
    museum, library = museum_and_library()
    rates(museum, default_rate=1000, per_item=200)
    rates(library, default_rate=800)
    saleor_order = order_of(museum, library, priced(museum, library)).paid()
    assert deliver("order_fully_paid", saleor_order.payload()).status == WebhookEvent.Status.DONE
    people = {
        "operator": operator_of(museum),
        "finance": operator_of(museum, role=UnitMembership.Role.FINANCE),
        "library_operator": operator_of(library),
        "library_finance": operator_of(library, role=UnitMembership.Role.FINANCE),
    }
    return museum, library, saleor_order, Order.objects.get(saleor_id="order-p"), people


class FakeSaleor:
    """Saleor at the HTTP edge: the order's transaction, the grant, the refund request (each recorded)."""

    def __init__(self, grant_errors: list | None = None) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.grant_errors = grant_errors or []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        name, variables = body["operationName"], body["variables"]
        self.calls.append((name, variables))
        if name == "OrderTransactions":
            data = {
                "order": {
                    "id": variables["order"],
                    "transactions": [
                        {"id": "txn-order-p", "chargedAmount": {"amount": 185.0, "currency": "CNY"}}
                    ],
                }
            }
        elif name == "OrderGrantRefundCreate":
            grant = None if self.grant_errors else {"id": GRANTED, "status": "NONE", "amount": {}}
            data = {"orderGrantRefundCreate": {"grantedRefund": grant, "errors": self.grant_errors}}
        else:
            data = {"transactionRequestRefundForGrantedRefund": {"transaction": {"id": "t"}, "errors": []}}
        return httpx.Response(200, json={"data": data})


def ask(order, unit, actor, *, quantities, shipping=False, reason="包裹破损 买家拒收"):
    return parcel_refunds.parcel_refund_request(
        unit=unit, order=order, quantities=quantities, shipping=shipping, reason=reason, actor=actor
    )


def museum_line(order, museum):
    return order.lines.get(unit=museum)


def test_an_approved_parcel_refund_is_granted_in_saleor_and_reversed_on_that_parcel_only(paid, deliver):
    museum, library, saleor_order, order, people = paid
    line = museum_line(order, museum)
    refund = ask(order, museum, people["operator"], quantities={line.pk: 1}, shipping=True)
    assert refund.amount == 2500 + 1400  # one item of 25.00, and the museum's parcel as paid
    assert (refund.goods_amount, refund.shipping_amount) == (2500, 1400)

    fake = FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=fake)
        done = parcel_refunds.parcel_refund_approve(
            refund_id=refund.pk, actor=people["finance"], client=SaleorClient(API, "token")
        )

    assert done.status == ParcelRefund.Status.REFUNDING and done.saleor_granted_refund_id == GRANTED
    grant = dict(fake.calls)["OrderGrantRefundCreate"]["input"]
    assert grant == {
        "lines": [{"id": "line-a", "quantity": 1}],
        "grantRefundForShipping": False,  # Saleor's shipping is the whole order's two parcels
        "amount": "39.00",
        "reason": f"包裹退款 #{refund.pk}: 包裹破损 买家拒收",
        "transactionId": "txn-order-p",
    }
    assert dict(fake.calls)["OrderGrantedRefundRequest"] == {
        "grantedRefund": GRANTED,
        "transaction": "txn-order-p",
    }

    # Saleor refunds it through the payment app and tells us: the grant names its lines, not the parcel
    saleor_order.refund_granted("refund-9", 3900, "2026-11-27T12:00:00+00:00", lines=(("line-a", 1),))
    event = deliver("order_refunded", saleor_order.payload(issued_at="2026-11-27T12:01:00+00:00"))

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    assert shipping_nets("order-p") == {
        f"shipping:{museum.uid}": {museum.party_key: 0},  # the museum's parcel, back to the buyer
        f"shipping:{library.uid}": {library.party_key: 800},  # the library's parcel untouched
    }
    nets = ledger.order_line_nets(order_ref="order-p")
    assert sum(a for _p, a, _f in nets["line-a"]) == 7500 - 2500
    assert sum(a for _p, a, _f in nets["line-b"]) == 8800
    assert ledger.transactions_unbalanced() == []
    actions = list(
        FinanceAuditEvent.objects.filter(action__startswith="parcel_refund.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["parcel_refund.approve", "parcel_refund.refunded", "parcel_refund.request"]
    # paid back: the refund is REFUNDED at Saleor's time of the refund, once (a redelivery changes nothing)
    done.refresh_from_db()
    assert done.status == ParcelRefund.Status.REFUNDED
    assert done.refunded_at == datetime(2026, 11, 27, 12, tzinfo=UTC)
    again = deliver("order_refunded", saleor_order.payload(issued_at="2026-11-27T12:02:00+00:00"))
    assert again.status == WebhookEvent.Status.DONE
    assert FinanceAuditEvent.objects.filter(action="parcel_refund.refunded").count() == 1


def test_the_requester_and_members_without_finance_never_approve(paid):
    museum, _library, _so, order, people = paid
    refund = ask(order, museum, people["finance"], quantities={museum_line(order, museum).pk: 1})
    another_operator = operator_of(museum)
    for who in (people["finance"], another_operator, people["library_finance"]):
        with pytest.raises(OrderInputError) as refused:
            parcel_refunds.parcel_refund_approve(
                refund_id=refund.pk, actor=who, client=SaleorClient(API, "t")
            )
        assert refused.value.code == "not_allowed"
    assert ParcelRefund.objects.get(pk=refund.pk).status == ParcelRefund.Status.REQUESTED


def test_an_approval_after_the_order_changed_is_refused_as_stale(paid):
    museum, _library, _so, order, people = paid
    refund = ask(order, museum, people["operator"], quantities={museum_line(order, museum).pk: 1})
    Order.objects.filter(pk=order.pk).update(saleor_updated_at=NOW)  # a newer state arrived meanwhile

    with pytest.raises(OrderInputError) as refused:
        parcel_refunds.parcel_refund_approve(
            refund_id=refund.pk, actor=people["finance"], client=SaleorClient(API, "t")
        )

    assert refused.value.code == "stale"
    assert ParcelRefund.objects.get(pk=refund.pk).status == ParcelRefund.Status.REQUESTED


def test_more_than_the_parcel_holds_is_refused(paid):
    museum, library, _so, order, people = paid
    line = museum_line(order, museum)
    ask(order, museum, people["operator"], quantities={line.pk: 2}, shipping=True)
    cases = [
        ({line.pk: 2}, False, "quantity_too_high"),  # 3 bought, 2 already asked for
        ({}, True, "shipping_already_refunded"),
        ({order.lines.get(unit=library).pk: 1}, False, "nothing_to_refund"),  # another unit's line
        ({}, False, "nothing_to_refund"),
    ]
    for quantities, shipping, code in cases:
        with pytest.raises(OrderInputError) as refused:
            ask(order, museum, people["operator"], quantities=quantities, shipping=shipping)
        assert refused.value.code == code
    with pytest.raises(OrderInputError) as refused:
        ask(order, museum, people["operator"], quantities={line.pk: 1}, reason="  ")
    assert refused.value.code == "reason_required"


def test_saleor_refusing_the_grant_leaves_the_refund_failed_with_its_message(paid):
    museum, _library, _so, order, people = paid
    refund = ask(order, museum, people["operator"], quantities={museum_line(order, museum).pk: 1})
    fake = FakeSaleor(
        grant_errors=[{"field": "amount", "code": "AMOUNT_GREATER_THAN_AVAILABLE", "message": "too much"}]
    )
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=fake)
        done = parcel_refunds.parcel_refund_approve(
            refund_id=refund.pk, actor=people["finance"], client=SaleorClient(API, "t")
        )

    assert done.status == ParcelRefund.Status.FAILED and "too much" in done.last_error
    assert "OrderGrantedRefundRequest" not in dict(fake.calls)
    assert FinanceAuditEvent.objects.filter(action="parcel_refund.failed").count() == 1


def test_refusing_needs_a_reason_and_the_requester_may_withdraw(paid):
    museum, _library, _so, order, people = paid
    line = museum_line(order, museum)
    first = ask(order, museum, people["operator"], quantities={line.pk: 1})
    with pytest.raises(OrderInputError):
        parcel_refunds.parcel_refund_refuse(refund_id=first.pk, actor=people["finance"], note="")
    refused = parcel_refunds.parcel_refund_refuse(
        refund_id=first.pk, actor=people["finance"], note="已超过退货期"
    )
    assert refused.status == ParcelRefund.Status.REFUSED and refused.decided_by == people["finance"]

    second = ask(
        order, museum, people["operator"], quantities={line.pk: 1}
    )  # refused items may be asked again
    with pytest.raises(OrderInputError):
        parcel_refunds.parcel_refund_withdraw(refund_id=second.pk, actor=operator_of(museum))
    assert (
        parcel_refunds.parcel_refund_withdraw(refund_id=second.pk, actor=people["operator"]).status
        == "withdrawn"
    )


def test_pages_ask_and_decide_and_another_unit_sees_nothing(client, paid):
    museum, library, _so, order, people = paid
    line = museum_line(order, museum)
    client.force_login(people["operator"])
    detail = client.get(reverse("orders:detail", args=[museum.uid, order.pk]))
    assert f'name="refund-{line.pk}"' in detail.content.decode() and "¥14.00" in detail.content.decode()

    asked = client.post(
        reverse("orders:refund_request", args=[museum.uid, order.pk]),
        {f"refund-{line.pk}": "1", "shipping": "on", "reason": "少发一件"},
    )
    assert asked.status_code == 302 and asked["Location"] == reverse("orders:refunds", args=[museum.uid])
    refund = ParcelRefund.objects.get()
    assert (refund.amount, refund.shipping, refund.requested_by) == (3900, True, people["operator"])
    page = client.get(reverse("orders:refunds", args=[museum.uid])).content.decode()
    approve = reverse("orders:refund_decide", args=[museum.uid, refund.pk, "approve"])
    assert "¥39.00" in page and approve not in page  # the asker cannot approve

    login_verified(client, people["finance"])
    page = client.get(reverse("orders:refunds", args=[museum.uid])).content.decode()
    assert approve in page

    for who in ("library_operator", "library_finance"):
        login_verified(client, people[who]) if who == "library_finance" else client.force_login(people[who])
        assert client.get(reverse("orders:refunds", args=[museum.uid])).status_code == 404
        for decision in ("approve", "refuse", "withdraw"):
            url = reverse("orders:refund_decide", args=[museum.uid, refund.pk, decision])
            assert client.post(url, {"note": "x"}).status_code == 404
        # the library's own refunds page names no museum refund
        assert (
            client.get(reverse("orders:refunds", args=[library.uid])).content.decode().count("refund-") == 0
        )
        url = reverse("orders:refund_request", args=[museum.uid, order.pk])
        assert client.post(url, {f"refund-{line.pk}": "1", "reason": "x"}).status_code == 404
    assert ParcelRefund.objects.get().status == ParcelRefund.Status.REQUESTED
    assert ParcelRefund.objects.count() == 1
