"""A real signed ORDER_CREATED delivery from the live Saleor 3.24 (--record-saleor), replayed."""

from __future__ import annotations

import httpx
import pytest
import respx

from orders.models import Order, OrderLine
from saleor_app import services
from saleor_app.models import WebhookEvent
from tests.factories import SaleorInstallationFactory
from tests.recording import delivered, load_delivery
from unit_onboarding.models import Unit

from .conftest import unit_with_agreement

pytestmark = pytest.mark.django_db(transaction=True)
DELIVERY = load_delivery("order_created")


def test_a_real_order_delivery_verifies_and_projects_onto_the_unit_of_its_allocation(client):
    installation = SaleorInstallationFactory(api_url=DELIVERY["api_url"], app_id=DELIVERY["app_id"])
    payload_order = httpx.Response(200, content=DELIVERY["body"]).json()["order"]
    allocated = {ln["id"]: ln["allocations"][0]["warehouse"]["id"] for ln in payload_order["lines"]}
    unit_of_warehouse = {}
    for n, warehouse in enumerate(sorted(set(allocated.values())), start=1):
        unit = unit_with_agreement(n)
        Unit.objects.filter(pk=unit.pk).update(saleor_warehouse_id=warehouse)
        unit_of_warehouse[warehouse] = unit.pk

    with respx.mock(assert_all_called=False) as mock:
        mock.get(installation.jwks_url).mock(return_value=httpx.Response(200, json=DELIVERY["jwks"]))
        response = delivered(client, DELIVERY)
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    services.inbox_process(event_id=event.pk)  # "skipped" when the eager drain already ran it

    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.DONE, event.last_error
    order = Order.objects.get()
    assert order.saleor_id == payload_order["id"]
    assert order.total == payload_order["total"]["gross"]["fractionalAmount"]
    lines = {ln["id"]: ln for ln in payload_order["lines"]}
    for line in OrderLine.objects.all():
        assert line.total_net == lines[line.saleor_id]["totalPrice"]["net"]["fractionalAmount"]
    assert dict(OrderLine.objects.values_list("saleor_id", "unit")) == {  # each to its allocation's unit
        ref: unit_of_warehouse[warehouse] for ref, warehouse in allocated.items()
    }
