"""A unit operator's order work: the new-order mail (once), the packing slip, bulk "mark shipped"."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import respx
from django.urls import reverse

from orders.models import Fulfilment, NewOrderMail, Order, OrderLine, ShipmentMail
from tests.auth import login_verified
from tests.factories import SaleorInstallationFactory
from tests.unit_onboarding.factories import UserFactory, operator_of
from unit_onboarding.models import UnitMembership

from .payloads import Line, SaleorOrder, fulfilled, two_unit_order

pytestmark = pytest.mark.django_db
API_URL = "http://127.0.0.1:8000/graphql/"


def member(unit, email: str, role: str = UnitMembership.Role.OPERATOR):
    user = UserFactory(email=email)
    UnitMembership.objects.create(user=user, unit=unit, role=role)
    return user


# --- the new-order mail ---------------------------------------------------------------------------------


def test_each_units_operators_get_one_chinese_mail_with_only_their_lines_and_a_link(
    units, deliver, mailoutbox, django_capture_on_commit_callbacks, settings
):
    member(units[0], "op-a@museum-1.cn")
    member(units[0], "cashier@museum-1.cn", role=UnitMembership.Role.FINANCE)  # finance does not pack
    member(units[1], "op-b@museum-2.cn")

    with django_capture_on_commit_callbacks(execute=True):
        deliver("order_fully_paid", two_unit_order(units).paid().payload())

    order = Order.objects.get(saleor_id="order-1")
    by_recipient = {tuple(m.to): m for m in mailoutbox}
    assert set(by_recipient) == {("op-a@museum-1.cn",), ("op-b@museum-2.cn",)}
    mail_a = by_recipient[("op-a@museum-1.cn",)]
    assert mail_a.subject == f"Museum 1 有新的已付款订单 #{order.number}"
    assert "Product of line-a [SKU-line-a] x 3" in mail_a.body
    assert "line-b" not in mail_a.body  # unit B's goods are not unit A's business
    detail = reverse("orders:detail", kwargs={"uid": units[0].uid, "pk": order.pk})
    assert f"{settings.APP_PUBLIC_URL}{detail}" in mail_a.body
    assert "已付款" in mail_a.body and "打印装箱单" in mail_a.body
    assert "Product of line-b [SKU-line-b] x 1" in by_recipient[("op-b@museum-2.cn",)].body


def test_a_redelivered_or_later_event_of_the_order_sends_no_second_mail(
    units, deliver, mailoutbox, django_capture_on_commit_callbacks
):
    member(units[0], "op-a@museum-1.cn")
    member(units[1], "op-b@museum-2.cn")
    order = two_unit_order(units).paid()

    with django_capture_on_commit_callbacks(execute=True):
        deliver("order_fully_paid", order.payload())
        deliver("order_fully_paid", order.payload())  # the very same delivery again (inbox: same key)
        deliver("order_fully_paid", order.payload(issued_at="2026-11-27T10:11:00+00:00"))  # Saleor's retry
        order.updated_at = "2026-11-27T10:20:00+00:00"
        deliver("order_updated", order.payload(issued_at="2026-11-27T10:21:00+00:00"))  # a later change

    assert len(mailoutbox) == 2  # one per unit, however often Saleor tells
    assert NewOrderMail.objects.filter(sent_at__isnull=False).count() == 2


def test_an_unpaid_order_mails_nobody_until_it_is_paid(
    units, deliver, mailoutbox, django_capture_on_commit_callbacks
):
    member(units[0], "op-a@museum-1.cn")
    order = SaleorOrder("order-7", [Line("line-a", units[0].saleor_warehouse_id, 2500)])

    with django_capture_on_commit_callbacks(execute=True):
        deliver("order_created", order.payload())
    assert mailoutbox == [] and not NewOrderMail.objects.exists()

    order.updated_at = "2026-11-27T10:20:00+00:00"
    with django_capture_on_commit_callbacks(execute=True):
        deliver("order_fully_paid", order.paid().payload(issued_at="2026-11-27T10:21:00+00:00"))
    assert [m.to for m in mailoutbox] == [["op-a@museum-1.cn"]]


def test_a_repeated_mail_task_sends_nothing_more(
    units, deliver, mailoutbox, django_capture_on_commit_callbacks
):
    from orders import tasks

    member(units[0], "op-a@museum-1.cn")
    with django_capture_on_commit_callbacks(execute=True):
        deliver("order_fully_paid", two_unit_order(units).paid().payload())
    mail = NewOrderMail.objects.get(unit=units[0])

    tasks.mail_new_order(mail.pk)  # the queue delivered the task twice

    assert len(mailoutbox) == 1


# --- the packing slip -----------------------------------------------------------------------------------


@pytest.fixture
def paid_order(units, deliver):
    deliver("order_fully_paid", two_unit_order(units).paid().payload())
    return Order.objects.get(saleor_id="order-1")


def slip_url(unit, order) -> str:
    return reverse("orders:packing_slip", kwargs={"uid": unit.uid, "pk": order.pk})


def test_the_packing_slip_shows_the_units_lines_and_the_address_and_no_prices(client, units, paid_order):
    client.force_login(operator_of(units[0]))

    page = client.get(slip_url(units[0], paid_order))

    html = page.content.decode()
    assert page.status_code == 200
    assert "装箱单" in html and f"#{paid_order.number}" in html
    assert "Product of line-a" in html and "SKU-line-a" in html
    assert "Product of line-b" not in html and "SKU-line-b" not in html  # the other unit's parcel
    assert "解放碑步行街1号" in html and "王小明" in html and "+8613800000000" in html
    assert "¥" not in html and "72.00" not in html and "86.00" not in html  # no prices on a slip
    assert 'aria-current="true"' in html  # the unit's navigation marks Orders (hidden when printed)


def test_unit_bs_operator_gets_404_on_unit_as_packing_slips_and_so_does_as_finance_member(
    client, units, paid_order, deliver
):
    deliver(
        "order_fully_paid",
        SaleorOrder("order-9", [Line("line-9", units[0].saleor_warehouse_id, 100)]).paid().payload(),
    )
    a_only = Order.objects.get(saleor_id="order-9")
    client.force_login(operator_of(units[1]))

    assert client.get(slip_url(units[0], paid_order)).status_code == 404  # unit A's slip
    assert client.get(slip_url(units[1], a_only)).status_code == 404  # B's route, an order without B's goods
    assert client.post(slip_url(units[0], a_only)).status_code == 404
    assert client.get(slip_url(units[1], paid_order)).status_code == 200  # B's own parcel of the shared order
    login_verified(client, operator_of(units[0], role=UnitMembership.Role.FINANCE))
    assert client.get(slip_url(units[0], paid_order)).status_code == 404  # slips are the packers'


# --- bulk "mark shipped" --------------------------------------------------------------------------------


def refused(code: str) -> dict:
    return {
        "data": {
            "orderFulfill": {"fulfillments": [], "errors": [{"field": None, "code": code, "message": "no"}]}
        }
    }


@pytest.fixture
def three_paid_orders(units, deliver):
    """Three paid orders of unit A (the first also has unit B's line)."""
    deliver("order_fully_paid", two_unit_order(units).paid().payload())
    for n in (2, 3):
        order = SaleorOrder(f"order-{n}", [Line(f"line-{n}", units[0].saleor_warehouse_id, 1000, quantity=2)])
        deliver("order_fully_paid", order.paid().payload())
    SaleorInstallationFactory()
    return [Order.objects.get(saleor_id=f"order-{n}") for n in (1, 2, 3)]


def test_the_orders_list_offers_bulk_shipping_of_paid_orders_to_operators_only(
    client, units, three_paid_orders
):
    client.force_login(operator_of(units[0]))
    html = client.get(reverse("orders:list", kwargs={"uid": units[0].uid})).content.decode()
    for order in three_paid_orders:
        assert f'name="ship" value="{order.pk}"' in html and f'name="tracking-{order.pk}"' in html

    login_verified(client, member(units[0], "cashier@museum-1.cn", role=UnitMembership.Role.FINANCE))
    html = client.get(reverse("orders:list", kwargs={"uid": units[0].uid})).content.decode()
    assert 'name="ship"' not in html and "packing-slip" not in html


def test_bulk_ship_ships_each_order_through_saleor_and_reports_the_refused_one_beside_it(
    client, units, three_paid_orders, django_capture_on_commit_callbacks, mailoutbox
):
    one, two, three = three_paid_orders
    warehouse = units[0].saleor_warehouse_id
    client.force_login(operator_of(units[0]))
    answers = {
        one.saleor_id: fulfilled(one.saleor_id, "ful-1", "SF001", warehouse),
        two.saleor_id: refused("CANNOT_FULFILL_UNPAID_ORDER"),
        three.saleor_id: fulfilled(three.saleor_id, "ful-3", "YT003", warehouse),
    }
    sent = []

    def saleor(request):
        body = json.loads(request.content)
        sent.append(body["variables"])
        return httpx.Response(200, json=answers[body["variables"]["order"]])

    with respx.mock(assert_all_called=True) as mock, django_capture_on_commit_callbacks(execute=True):
        mock.post(API_URL).mock(side_effect=saleor)
        page = client.post(
            reverse("orders:ship", kwargs={"uid": units[0].uid}),
            {
                "ship": [one.pk, two.pk, three.pk],
                "carrier": "顺丰速运",
                f"tracking-{one.pk}": "SF001",
                f"tracking-{two.pk}": "SF002",
                f"carrier-{three.pk}": "圆通速递",
                f"tracking-{three.pk}": "YT003",
            },
        )

    html = page.content.decode()
    assert page.status_code == 200  # the page again, with the refused row as typed
    assert [v["order"] for v in sent] == [one.saleor_id, two.saleor_id, three.saleor_id]
    # each order's lines of unit A only, everything left, from unit A's warehouse (the single ship's service)
    assert sent[0]["input"]["lines"] == [
        {"orderLineId": "line-a", "stocks": [{"quantity": 3, "warehouse": warehouse}]}
    ]
    assert {(f.order_id, f.carrier, f.tracking_number) for f in Fulfilment.objects.all()} == {
        (one.pk, "顺丰速运", "SF001"),
        (three.pk, "圆通速递", "YT003"),
    }
    assert ShipmentMail.objects.count() == 2 and len(mailoutbox) == 2  # the buyers' mails, as for one order
    assert "已发货 2 个订单" in html
    assert "Saleor 拒绝为此订单发货" in html and "CANNOT_FULFILL_UNPAID_ORDER" in html
    assert 'value="SF002"' in html and re.search(r'id="carrier"[^>]*value="顺丰速运"', html)  # nothing lost
    assert OrderLine.objects.get(saleor_id="line-2").quantity_fulfilled == 0
    assert OrderLine.objects.get(saleor_id="line-b").quantity_fulfilled == 0  # unit B's line untouched


def test_bulk_ship_refuses_another_units_order_and_a_row_without_tracking_before_calling_saleor(
    client, units, three_paid_orders, deliver
):
    deliver(
        "order_fully_paid",
        SaleorOrder("order-b", [Line("line-b9", units[1].saleor_warehouse_id, 500)]).paid().payload(),
    )
    order_b = Order.objects.get(saleor_id="order-b")
    one = three_paid_orders[0]
    client.force_login(operator_of(units[0]))

    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(API_URL)
        page = client.post(
            reverse("orders:ship", kwargs={"uid": units[0].uid}),
            {"ship": [order_b.pk, one.pk], "carrier": "EMS", f"tracking-{order_b.pk}": "HIJACK"},
            follow=True,
        )

    html = page.content.decode()
    assert not route.called and not Fulfilment.objects.exists()
    assert page.status_code == 400
    assert "本单位没有这个订单。" in html  # unit B's order: refused as if it did not exist
    assert "请填写快递公司和运单号。" in html  # the first order had no tracking number
    # unit B's operator cannot bulk ship on unit A's page at all
    client.force_login(operator_of(units[1]))
    assert (
        client.post(reverse("orders:ship", kwargs={"uid": units[0].uid}), {"ship": [one.pk]}).status_code
        == 404
    )


def test_bulk_ship_refuses_an_unpaid_order_without_asking_saleor(client, units, deliver):
    deliver(
        "order_created", SaleorOrder("order-5", [Line("line-5", units[0].saleor_warehouse_id, 500)]).payload()
    )
    order = Order.objects.get(saleor_id="order-5")
    client.force_login(operator_of(units[0]))

    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(API_URL)
        page = client.post(
            reverse("orders:ship", kwargs={"uid": units[0].uid}),
            {"ship": [order.pk], "carrier": "EMS", f"tracking-{order.pk}": "E1"},
        )

    assert not route.called
    assert page.status_code == 400 and "此订单尚未付清，不能发货。" in page.content.decode()  # noqa: RUF001


def test_bulk_ship_with_nothing_ticked_says_so(client, units, three_paid_orders):
    client.force_login(operator_of(units[0]))

    page = client.post(reverse("orders:ship", kwargs={"uid": units[0].uid}), {"carrier": "EMS"}, follow=True)

    assert "请至少选择一个要发货的订单。" in page.content.decode()
