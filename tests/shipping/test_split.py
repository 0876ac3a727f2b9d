"""Each unit is credited its own parcel's shipping, as its checkout's quote priced it; refunds per parcel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from payments import selectors as ledger
from payments.settlement.stats import bureau_stats
from saleor_app.models import WebhookEvent
from shipping.quotes import shipping_methods_list
from tests.orders.conftest import unit_under
from tests.orders.payloads import Line, SaleorOrder
from tests.shipping.conftest import NOW, cart_line, checkout_payload, museum_and_library, rates
from unit_onboarding.agreements import ShareTerm

pytestmark = pytest.mark.django_db
CHECKOUT = "Q2hlY2tvdXQ6Mg=="


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def priced(museum, library, province: str = "重庆市") -> dict:
    """Saleor asks for the checkout's methods (museum 3 x 25.00, library 88.00): the buyer picks the first."""
    payload = checkout_payload(
        [cart_line(museum, goods=7500, quantity=3, n=1), cart_line(library, goods=8800, n=2)],
        province=province,
        checkout_id=CHECKOUT,
    )
    return shipping_methods_list(payload=payload)[0]


def order_of(museum, library, method: dict | None, order_id: str = "order-p") -> SaleorOrder:
    shipping = 0 if method is None else int(method["amount"].replace(".", ""))
    return SaleorOrder(
        id=order_id,
        lines=[
            Line("line-a", museum.saleor_warehouse_id, 2500, quantity=3),
            Line("line-b", library.saleor_warehouse_id, 8800),
        ],
        shipping=shipping,
        checkout_id=CHECKOUT,
        shipping_method_name=method["name"] if method else None,
    )


def shipping_nets(order_ref: str) -> dict[str, dict[str, int]]:
    nets = ledger.order_line_nets(order_ref=order_ref)
    return {
        ref: {party: amount for party, amount, _fee in rows}
        for ref, rows in nets.items()
        if ref.startswith("shipping")
    }


@pytest.fixture
def units():
    museum, library = museum_and_library()
    rates(museum, default_rate=1000, per_item=200)  # 3 items: 10.00 + 2 x 2.00 = 14.00
    rates(library, default_rate=800, province_rates={"新疆维吾尔自治区": 2000})
    return museum, library


def test_each_unit_is_credited_its_own_parcel_not_the_unit_with_most_goods(units, deliver):
    museum, library = units
    method = priced(museum, library)
    assert (method["name"], method["amount"]) == ("三峡博物馆 ¥14.00 + 重庆图书馆 ¥8.00", "22.00")
    order = order_of(museum, library, method).paid()

    event = deliver("order_fully_paid", order.payload())

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    assert shipping_nets("order-p") == {
        f"shipping:{museum.uid}": {museum.party_key: 1400},
        f"shipping:{library.uid}": {library.party_key: 800},
    }
    assert ledger.transactions_unbalanced() == []


def test_bureau_statistics_show_each_units_parcel_shipping(units, deliver):
    museum, library = units
    order = order_of(museum, library, priced(museum, library)).paid()
    assert deliver("order_fully_paid", order.payload()).status == WebhookEvent.Status.DONE
    order.refund_granted("refund-1", 2200, "2026-11-27T12:00:00+00:00", shipping=True)
    order_2 = order_of(museum, library, priced(museum, library), order_id="order-q").paid()
    deliver("order_fully_paid", order_2.payload())
    deliver("order_refunded", order.payload(issued_at="2026-11-27T12:01:00+00:00"))

    # posted when delivered: the clock's day, 10 December
    stats = bureau_stats(
        start=datetime(2026, 11, 30, 16, tzinfo=UTC), end=NOW + timedelta(days=1), currency="CNY"
    )

    # two orders' parcels (14.00 and 8.00 each), the first order's shipping refunded: one of each remains
    assert stats.shipping_by_unit == {"三峡博物馆": {"2026-12": 1400}, "重庆图书馆": {"2026-12": 800}}
    assert stats.shipping_total == {"2026-12": 2200}


def test_the_quote_is_frozen_when_priced_a_later_change_of_rates_does_not_reprice_the_order(units, deliver):
    museum, library = units
    method = priced(museum, library)
    rates(
        library,
        based_on=library.shipping_rates.get(),
        effective_from=NOW + timedelta(minutes=1),
        default_rate=5000,
    )
    order = order_of(museum, library, method).paid(at="2026-12-10T05:00:00+00:00")
    assert deliver("order_fully_paid", order.payload()).status == WebhookEvent.Status.DONE
    assert shipping_nets("order-p")[f"shipping:{library.uid}"] == {library.party_key: 800}


def test_a_parcel_is_split_under_its_units_agreement_shipping_rule(units, deliver):
    museum, _library = units
    library = unit_under(
        "档案馆",
        "V2FyZWhvdXNlOjc=",
        lambda unit: [ShareTerm(unit.party_key, "unit", 7500), ShareTerm("platform", "platform", 2500)],
        shipping_rule="agreement",
    )
    rates(library, default_rate=800)
    order = order_of(museum, library, priced(museum, library)).paid()
    assert deliver("order_fully_paid", order.payload()).status == WebhookEvent.Status.DONE
    nets = shipping_nets("order-p")
    assert nets[f"shipping:{museum.uid}"] == {museum.party_key: 1400}
    assert nets[f"shipping:{library.uid}"] == {library.party_key: 600, "platform": 200}


def test_free_and_pickup_parcels_credit_nothing_and_the_charged_parcel_all(units, deliver, time_machine):
    museum, library = units
    later = NOW + timedelta(minutes=1)
    rates(museum, based_on=museum.shipping_rates.get(), effective_from=later, default_rate=1000, pickup=True)
    time_machine.move_to(later, tick=False)
    payload = checkout_payload(
        [cart_line(museum, goods=7500, quantity=3, n=1), cart_line(library, goods=8800, n=2)],
        checkout_id=CHECKOUT,
    )
    _shipped, pickup = shipping_methods_list(payload=payload)
    assert (pickup["name"], pickup["amount"]) == ("三峡博物馆 到馆自提 + 重庆图书馆 ¥8.00", "8.00")
    order = order_of(museum, library, pickup).paid()
    assert deliver("order_fully_paid", order.payload()).status == WebhookEvent.Status.DONE
    assert shipping_nets("order-p") == {f"shipping:{library.uid}": {library.party_key: 800}}


def test_a_shipping_refund_goes_back_to_each_parcel(units, deliver):
    museum, library = units
    order = order_of(museum, library, priced(museum, library)).paid()
    assert deliver("order_fully_paid", order.payload()).status == WebhookEvent.Status.DONE
    order.refund_granted("refund-1", 2200, "2026-11-27T12:00:00+00:00", shipping=True)

    event = deliver("order_refunded", order.payload(issued_at="2026-11-27T12:01:00+00:00"))

    assert event.status == WebhookEvent.Status.DONE, event.last_error
    assert shipping_nets("order-p") == {
        f"shipping:{museum.uid}": {museum.party_key: 0},
        f"shipping:{library.uid}": {library.party_key: 0},
    }
    lines = ledger.order_line_nets(order_ref="order-p")
    assert sum(a for _p, a, _f in lines["line-a"]) == 7500 and sum(a for _p, a, _f in lines["line-b"]) == 8800
    assert ledger.transactions_unbalanced() == []


def test_an_order_without_a_fitting_quote_keeps_the_one_price_rule(units, deliver):
    museum, library = units
    priced(museum, library)  # quoted 22.00, but the order was charged Saleor's own 10.00 method
    order = order_of(museum, library, None)
    order.shipping, order.shipping_method_name = 1000, "顺丰标准快递"
    deliver("order_fully_paid", order.paid().payload())
    assert shipping_nets("order-p") == {"shipping": {library.party_key: 1000}}  # most goods: 88.00 > 75.00
