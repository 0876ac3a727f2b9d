"""Operator pages: a unit sees and fulfils only its own lines; every route is isolated between units."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from django.urls import URLPattern, reverse

from orders import urls as orders_urls
from orders.models import Fulfilment, Order, OrderLine, ParcelRefund
from tests.auth import login_verified
from tests.factories import SaleorInstallationFactory
from tests.unit_onboarding.factories import operator_of

from .payloads import Line, SaleorOrder

pytestmark = pytest.mark.django_db
API_URL = "http://127.0.0.1:8000/graphql/"


def test_a_unit_sees_only_its_own_lines_the_address_and_status(client, units, shared_order):
    client.force_login(operator_of(units[0]))

    page = client.get(reverse("orders:detail", kwargs={"uid": units[0].uid, "pk": shared_order.pk}))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Product of line-a" in html and "Product of line-b" not in html
    assert "解放碑步行街1号" in html
    assert 'data-code="UNFULFILLED">待发货<' in html and "未付款" in html  # states in words, not codes
    assert "运单号" in html and "Tracking number" not in html
    listing = client.get(reverse("orders:list", kwargs={"uid": units[0].uid})).content.decode()
    assert f"#{shared_order.number}" in listing and "待发货" in listing
    english = client.get(
        reverse("orders:detail", kwargs={"uid": units[0].uid, "pk": shared_order.pk}),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Not shipped yet" in english and "Tracking number" in english


def test_fulfilling_creates_the_fulfilment_in_saleor_from_the_units_warehouse(client, units, shared_order):
    SaleorInstallationFactory()
    client.force_login(operator_of(units[0]))
    line = OrderLine.objects.get(saleor_id="line-a")
    sent = []

    def saleor(request):
        sent.append(json.loads(request.content))
        return httpx.Response(
            200,
            json={
                "data": {
                    "orderFulfill": {
                        "fulfillments": [
                            {
                                "id": "ful-1",
                                "status": "FULFILLED",
                                "trackingNumber": "SF1234567890",
                                "warehouse": {"id": units[0].saleor_warehouse_id},
                            }
                        ],
                        "errors": [],
                    }
                }
            },
        )

    with respx.mock(assert_all_called=True) as mock:
        mock.post(API_URL).mock(side_effect=saleor)
        response = client.post(
            reverse("orders:fulfil", kwargs={"uid": units[0].uid, "pk": shared_order.pk}),
            {f"line-{line.pk}": "3", "carrier": "顺丰速运", "tracking_number": "SF1234567890"},
        )

    assert response.status_code == 302
    assert sent[0]["operationName"] == "OrderFulfill"
    assert sent[0]["variables"] == {
        "order": "order-1",
        "input": {
            "lines": [
                {
                    "orderLineId": "line-a",
                    "stocks": [{"quantity": 3, "warehouse": units[0].saleor_warehouse_id}],
                }
            ],
            "trackingNumber": "SF1234567890",
            "notifyCustomer": True,
        },
    }
    fulfilment = Fulfilment.objects.get()
    assert (fulfilment.unit, fulfilment.carrier, fulfilment.tracking_number) == (
        units[0],
        "顺丰速运",
        "SF1234567890",
    )
    assert OrderLine.objects.get(pk=line.pk).quantity_fulfilled == 3
    page = client.get(reverse("orders:detail", kwargs={"uid": units[0].uid, "pk": shared_order.pk}))
    assert 'id="tracking_number"' not in page.content.decode()  # nothing of this unit is left to ship


def test_fulfilling_without_tracking_number_is_refused_before_calling_saleor(client, units, shared_order):
    client.force_login(operator_of(units[0]))
    line = OrderLine.objects.get(saleor_id="line-a")

    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(API_URL)
        response = client.post(
            reverse("orders:fulfil", kwargs={"uid": units[0].uid, "pk": shared_order.pk}),
            {f"line-{line.pk}": "1", "carrier": "EMS", "tracking_number": " "},
            follow=True,
        )

    assert not route.called
    assert "请填写快递公司和运单号。" in response.content.decode()  # the refusal in the UI's language


def test_finance_members_see_orders_but_cannot_fulfil(client, units, shared_order):
    login_verified(client, operator_of(units[0], role="finance"))
    line = OrderLine.objects.get(saleor_id="line-a")
    url = reverse("orders:fulfil", kwargs={"uid": units[0].uid, "pk": shared_order.pk})

    page = client.get(reverse("orders:detail", kwargs={"uid": units[0].uid, "pk": shared_order.pk}))
    posted = client.post(url, {f"line-{line.pk}": "1", "carrier": "EMS", "tracking_number": "E1"})

    assert page.status_code == 200 and "tracking_number" not in page.content.decode()
    assert posted.status_code == 404


def patterns() -> list[URLPattern]:
    return [p for p in orders_urls.urlpatterns if isinstance(p, URLPattern)]


def test_an_operator_of_unit_a_gets_404_on_every_route_naming_unit_b_or_its_order(client, units, deliver):
    deliver(
        "order_created",
        SaleorOrder("order-b", [Line("line-b1", units[1].saleor_warehouse_id, 500)]).payload(),
    )
    order_b = Order.objects.get(saleor_id="order-b")
    line_b = OrderLine.objects.get()
    refund_b = ParcelRefund.objects.create(
        order=order_b,
        unit=units[1],
        lines=[[line_b.pk, 1]],
        amount=500,
        currency="CNY",
        reason="破损",
        order_seen_at=order_b.saleor_updated_at,
        requested_by=operator_of(units[1]),
        requested_at=order_b.saleor_updated_at,
    )
    client.force_login(operator_of(units[0]))
    swept = 0

    with respx.mock(assert_all_called=False) as mock:
        saleor = mock.post(API_URL)
        for pattern in patterns():
            names = set(pattern.pattern.converters)
            # unit B's own route, and unit A's route pointed at B's order
            for uid in (units[1].uid, units[0].uid):
                if not names & {"pk", "refund_id"} and uid == units[0].uid:
                    continue
                kwargs = {"uid": uid, **({"pk": order_b.pk} if "pk" in names else {})}
                if "refund_id" in names:
                    kwargs.update(refund_id=refund_b.pk, decision="approve")
                path = reverse(f"orders:{pattern.name}", kwargs=kwargs)
                got = client.get(path)
                posted = client.post(
                    path,
                    {
                        f"line-{line_b.pk}": "1",
                        f"refund-{line_b.pk}": "1",
                        "carrier": "EMS",
                        "tracking_number": "HIJACK",
                        "reason": "HIJACK",
                    },
                )
                assert got.status_code in {404, 405}, (path, got.status_code)
                assert posted.status_code == 404, (path, posted.status_code)
                swept += 1

    assert swept == 13  # the routes of unit B, and those of unit A that name an order
    assert not saleor.called and not Fulfilment.objects.exists()
    assert list(ParcelRefund.objects.values_list("status", flat=True)) == ["requested"]
    assert OrderLine.objects.get().quantity_fulfilled == 0
    # every argument a route takes is swept above: a route with a new one fails here until it is
    assert all(not p.pattern.converters.keys() - {"uid", "pk", "refund_id", "decision"} for p in patterns())
