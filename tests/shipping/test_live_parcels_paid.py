"""Live Saleor, end to end: a three-unit cart priced by this service's shipping webhooks to Chongqing and then
to Xinjiang (each unit's own province rates), one unit's parcel free over its threshold, one unit offering
pickup at its counter (到馆自提); paid through a payment app's transaction on the checkout, completed, and the
order's real ORDER_FULLY_PAID delivery credits each unit its own parcel's shipping in the ledger. Then the
one unit whose parcel cannot ship refunds it alone (goods and shipping) through Saleor and the payment app."""

from __future__ import annotations

import pytest

from core import clock
from orders import parcel_refunds
from orders.models import Order, OrderLine, ParcelRefund
from orders.parcels import parcel_ref
from payments import selectors as ledger
from saleor_app.client import SaleorClient
from saleor_app.models import WebhookEvent
from saleor_app.services import inbox_process
from shipping.models import ShippingQuote
from shipping.quotes import Cart, CartLine, cart_shipping, method_name
from tests.live_saleor import StaffSession, wait_until
from tests.live_shop import ProductSpec, own_shop
from tests.orders import live_order
from tests.orders.conftest import unit_with_agreement
from tests.saleor_app.test_live_saleor import installed_app  # noqa: F401 (a fixture)
from tests.shipping.conftest import rates
from tests.shipping.test_live_shipping import ADDRESS, CHOOSE, address, checkout_created
from tests.unit_onboarding.factories import operator_of
from unit_onboarding.models import UnitMembership

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db(transaction=True)]

CHONGQING = ("重庆市", "渝中区", "")
XINJIANG = ("新疆维吾尔自治区", "乌鲁木齐市", "天山区")
COMPLETE = """
mutation($id: ID!) { checkoutComplete(id: $id) { order { id number shippingPrice { gross { amount } } }
  errors { field code message } } }
"""


@pytest.fixture
def staff(saleor_api_url):
    return StaffSession(saleor_api_url)


@pytest.fixture
def payments(staff):
    """A throw-away payment app (HANDLE_PAYMENTS) that reports the buyer's charge on the checkout."""
    with live_order.payment_app(staff) as app:
        yield app


def expected_methods(units_lines, province: str) -> dict[str, int]:
    """The methods this service computes for the cart (name -> total fen), straight from shipping.quotes."""
    lines = tuple(CartLine(unit.pk, quantity, goods, name) for unit, quantity, goods, name in units_lines)
    shipping = cart_shipping(Cart("expected", "CNY", province, "CN", lines))
    out = {method_name(shipping.shipped): sum(p.price.amount for p in shipping.shipped)}
    if shipping.with_pickup is not None:
        out[method_name(shipping.with_pickup)] = sum(p.price.amount for p in shipping.with_pickup)
    return out


def active(checkout: dict) -> dict[str, int]:
    return {
        m["name"]: round(m["price"]["amount"] * 100)
        for m in checkout["shippingMethods"]
        if m["active"] and m["price"]["currency"] == "CNY"
    }


def test_three_units_to_chongqing_and_xinjiang_paid_and_each_unit_credited_its_parcel(
    staff,
    installed_app,  # noqa: F811
    payments,
    mailoutbox,
):
    museum, library, gallery = unit_with_agreement(71), unit_with_agreement(72), unit_with_agreement(73)
    now = clock.now()  # live: the real time (Saleor's checkout is priced now)
    # museum: ¥10 anywhere but ¥25 to Xinjiang, ¥2 per further item
    rates(
        museum, effective_from=now, default_rate=1000, province_rates={"新疆维吾尔自治区": 2500}, per_item=200
    )
    # library: ¥8 (¥18 to Xinjiang), free from ¥50 of its goods
    rates(
        library,
        effective_from=now,
        default_rate=800,
        province_rates={"新疆维吾尔自治区": 1800},
        free_over=5000,
    )
    # gallery: ¥6 to Chongqing, ¥15 elsewhere, or collected at its counter
    rates(gallery, effective_from=now, default_rate=1500, province_rates={"重庆市": 600}, pickup=True)
    specs = [
        ProductSpec("实况包裹书签", "12.50", warehouse=0, metadata=(("wenchuang.unit_id", str(museum.pk)),)),
        ProductSpec(
            "实况包裹笔记本", "35.00", warehouse=1, metadata=(("wenchuang.unit_id", str(library.pk)),)
        ),
        ProductSpec("实况包裹版画", "88.00", warehouse=2, metadata=(("wenchuang.unit_id", str(gallery.pk)),)),
    ]
    with own_shop(staff, specs, warehouses=3) as shop:
        bookmark, notebook, print_ = shop.products
        for unit, product in ((museum, bookmark), (library, notebook), (gallery, print_)):
            type(unit).objects.filter(pk=unit.pk).update(saleor_warehouse_id=product.warehouse_id)
        cart = [
            (museum, 2, 2500, bookmark.name),
            (library, 2, 7000, notebook.name),
            (gallery, 1, 8800, print_.name),
        ]
        lines = [(bookmark, 2), (notebook, 2), (print_, 1)]
        to = address(*CHONGQING)
        checkout = checkout_created(staff, shop, lines, to, billingAddress=to)
        checkout_id = checkout["id"]

        # Chongqing: museum ¥12 (¥10 + ¥2), library free (¥70 of goods >= ¥50), gallery ¥6 or pickup
        to_chongqing = active(checkout)
        assert to_chongqing == expected_methods(cart, "重庆市")
        assert to_chongqing == {
            f"{museum} ¥12.00 + {library} 包邮 + {gallery} ¥6.00": 1800,
            f"{museum} ¥12.00 + {library} 包邮 + {gallery} 到馆自提": 1200,
        }

        # Xinjiang: each unit's own Xinjiang rate (the gallery's default), the library still free
        moved = staff.gql(ADDRESS, {"id": checkout_id, "a": address(*XINJIANG)})[
            "checkoutShippingAddressUpdate"
        ]
        assert not moved["errors"], moved["errors"]
        to_xinjiang = active(moved["checkout"])
        assert to_xinjiang == expected_methods(cart, "新疆维吾尔自治区")
        shipped_name = f"{museum} ¥27.00 + {library} 包邮 + {gallery} ¥15.00"
        pickup_name = f"{museum} ¥27.00 + {library} 包邮 + {gallery} 到馆自提"
        assert to_xinjiang == {shipped_name: 4200, pickup_name: 2700}
        method_ids = {m["name"]: m["id"] for m in moved["checkout"]["shippingMethods"] if m["active"]}

        # pickup chosen: the checkout charges the museum's parcel only; then every parcel shipped instead
        picked = staff.gql(CHOOSE, {"id": checkout_id, "m": method_ids[pickup_name]})[
            "checkoutDeliveryMethodUpdate"
        ]
        assert not picked["errors"], picked["errors"]
        assert picked["checkout"]["shippingPrice"]["gross"] == {"amount": 27.0, "currency": "CNY"}
        chosen = staff.gql(CHOOSE, {"id": checkout_id, "m": method_ids[shipped_name]})[
            "checkoutDeliveryMethodUpdate"
        ]
        assert not chosen["errors"], chosen["errors"]
        priced = chosen["checkout"]
        assert priced["shippingPrice"]["gross"] == {"amount": 42.0, "currency": "CNY"}
        goods = 2 * 1250 + 2 * 3500 + 8800
        assert round(priced["subtotalPrice"]["gross"]["amount"] * 100) == goods
        total = round(priced["totalPrice"]["gross"]["amount"] * 100)
        assert total == goods + 4200

        # paid: the payment app reports the whole total charged on the checkout, then the buyer completes it
        live_order.charge(payments, checkout_id, f"{total / 100:.2f}", "CNY")
        completed = staff.gql(COMPLETE, {"id": checkout_id})["checkoutComplete"]
        assert not completed["errors"], completed["errors"]
        order_id = completed["order"]["id"]
        assert completed["order"]["shippingPrice"]["gross"]["amount"] == 42.0

        # Saleor delivers ORDER_FULLY_PAID to this service (live_server); its inbox processes it
        paid = WebhookEvent.objects.filter(event_type="order_fully_paid", payload__order__id=order_id)
        event = wait_until(f"order_fully_paid of {order_id} delivered", paid.first)
        inbox_process(event_id=event.pk)  # unless an inbox worker already has
        event = wait_until("the delivery processed", lambda: paid.exclude(status="pending").first())
        assert event.status == WebhookEvent.Status.DONE, event.last_error

        order = Order.objects.get(saleor_id=order_id)
        assert (order.total, order.shipping) == (total, 4200)
        assert dict(OrderLine.objects.filter(order=order).values_list("product_name", "unit")) == {
            bookmark.name: museum.pk,
            notebook.name: library.pk,
            print_.name: gallery.pk,
        }
        quote = ShippingQuote.objects.get(checkout_id=checkout_id, name=shipped_name)
        assert [(p["party"], p["amount"], p["free"]) for p in quote.parcels] == [
            (museum.party_key, 2700, False),
            (library.party_key, 0, True),
            (gallery.party_key, 1500, False),
        ]
        nets = ledger.order_line_nets(order_ref=order_id)
        shipping = {ref: parties for ref, parties in nets.items() if ref.startswith("shipping")}
        # each unit's parcel ref carries exactly its parcel's price, shared only among that unit's parties
        assert {ref: sum(a for _, a, _ in parties) for ref, parties in shipping.items()} == {
            parcel_ref(museum): 2700,
            parcel_ref(gallery): 1500,
        }
        for unit in (museum, gallery):
            parties = {party for party, _, _ in shipping[parcel_ref(unit)]}
            assert unit.party_key in parties
            assert not parties & {library.party_key, (gallery if unit == museum else museum).party_key}
        assert sum(sum(a for _, a, _ in parties) for parties in nets.values()) == total
        assert ledger.transactions_unbalanced() == []

        # The gallery's print is out of stock: its parcel is refunded alone, goods and shipping, asked by its
        # operator and approved by its finance member; Saleor grants it and the payment app pays it back
        print_line = OrderLine.objects.get(order=order, unit=gallery)
        refund = parcel_refunds.parcel_refund_request(
            unit=gallery,
            order=order,
            quantities={print_line.pk: 1},
            shipping=True,
            reason="版画缺货，无法发货",  # noqa: RUF001
            actor=operator_of(gallery),
        )
        assert (refund.amount, refund.shipping_amount) == (8800 + 1500, 1500)
        done = parcel_refunds.parcel_refund_approve(
            refund_id=refund.pk,
            actor=operator_of(gallery, role=UnitMembership.Role.FINANCE),
            client=SaleorClient(staff.api_url, payments.token),
        )
        # (this Saleor runs its tasks inline: the refund may be paid back, and its ORDER_REFUNDED delivered
        # and processed here, before the approval returns)
        assert done.saleor_granted_refund_id and done.status in (
            ParcelRefund.Status.REFUNDING,
            ParcelRefund.Status.REFUNDED,
        ), done.last_error
        query = (
            "query($id: ID!) { order(id: $id) { grantedRefunds { id status amount { fractionalAmount } } } }"
        )

        def granted():
            grants = staff.gql(query, {"id": order_id})["order"]["grantedRefunds"]
            grant = next(g for g in grants if g["id"] == done.saleor_granted_refund_id)
            return grant if grant["status"] in {"SUCCESS", "FAILURE"} else None

        grant = wait_until("the parcel refund paid back by the payment app", granted)
        assert (grant["status"], grant["amount"]["fractionalAmount"]) == ("SUCCESS", 10300)
        # the buyer was told when it was granted
        [mail] = [m for m in mailoutbox if "版画缺货" in m.body]
        assert (
            mail.to == ["buyer@example.cn"]
            and "¥103.00" in mail.subject
            and "本包裹运费: ¥15.00" in mail.body
        )

        # Saleor's ORDER_REFUNDED reaches this service: only the gallery's parcel is reversed
        refunded = WebhookEvent.objects.filter(event_type="order_refunded", payload__order__id=order_id)
        # .all(): a fresh query each poll (a QuerySet caches its first result, so an ORDER_REFUNDED arriving
        # after the first poll was never seen: the test timed out under load, when the delivery came later)
        for event in wait_until(f"order_refunded of {order_id} delivered", lambda: list(refunded.all())):
            inbox_process(event_id=event.pk)
        wait_until("the refund posted", lambda: not refunded.filter(status="pending").exists())
        assert set(refunded.values_list("status", flat=True)) == {WebhookEvent.Status.DONE}
        after = ledger.order_line_nets(order_ref=order_id)
        sums = {ref: sum(a for _, a, _ in parties) for ref, parties in after.items()}
        assert sums[parcel_ref(gallery)] == 0 and sums[parcel_ref(museum)] == 2700
        assert sum(sums.values()) == total - 10300
        done.refresh_from_db()
        assert done.status == ParcelRefund.Status.REFUNDED and done.refunded_at is not None
        assert ledger.transactions_unbalanced() == []
