"""The buyer's shipping mail: one per parcel, naming the unit, its items, carrier, tracking and order link."""

from __future__ import annotations

import re

import httpx
import pytest
import respx
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from orders import tasks
from orders.links import ORDER_LINK_SALT
from orders.models import Fulfilment, OrderLine, ShipmentMail
from tests.factories import SaleorInstallationFactory
from tests.unit_onboarding.factories import operator_of

from .payloads import fulfilled

pytestmark = pytest.mark.django_db
API_URL = "http://127.0.0.1:8000/graphql/"


def ship(client, unit, order, line_ref, qty, *, carrier, tracking, ful_id):
    """The unit's operator ships its parcel through the operator page (Saleor answered at the HTTP edge)."""
    client.force_login(operator_of(unit))
    line = OrderLine.objects.get(saleor_id=line_ref)
    answer = fulfilled(order.saleor_id, ful_id, tracking, unit.saleor_warehouse_id)
    with respx.mock(assert_all_called=True) as mock:
        mock.post(API_URL).mock(return_value=httpx.Response(200, json=answer))
        return client.post(
            reverse("orders:fulfil", kwargs={"uid": unit.uid, "pk": order.pk}),
            {f"line-{line.pk}": str(qty), "carrier": carrier, "tracking_number": tracking},
        )


@pytest.fixture
def installed():
    return SaleorInstallationFactory()


def test_the_buyer_gets_one_chinese_mail_naming_unit_items_carrier_tracking_and_link(
    client, units, shared_order, installed, mailoutbox, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ship(
            client,
            units[0],
            shared_order,
            "line-a",
            2,
            carrier="顺丰速运",
            tracking="SF1234567890",
            ful_id="ful-1",
        )

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["buyer@example.cn"]
    assert mail.subject == f"订单 #{shared_order.number}：Museum 1 已发出您的商品"  # noqa: RUF001
    assert "Museum 1 已发出您订单" in mail.body
    assert "Product of line-a" in mail.body and "x 2" in mail.body
    assert "快递公司: 顺丰速运" in mail.body and "运单号: SF1234567890" in mail.body
    assert "查看您的订单" in mail.body
    link = re.search(r"(https?://\S+)", mail.body).group(1)
    assert link.startswith(f"{settings.APP_PUBLIC_URL}/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert signing.loads(token, salt=ORDER_LINK_SALT) == {"order": "order-1"}  # the storefront's own link
    assert ShipmentMail.objects.get().sent_at is not None


def test_a_repeated_task_or_record_sends_nothing_more(
    client, units, shared_order, installed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ship(client, units[0], shared_order, "line-a", 1, carrier="EMS", tracking="EMS001", ful_id="ful-1")
    record = ShipmentMail.objects.get()

    tasks.mail_shipment.delay(record.pk)  # the task delivered twice
    tasks.mail_shipment(record.pk)

    assert len(mailoutbox) == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # one record per fulfilment, by constraint
        ShipmentMail.objects.create(fulfilment=Fulfilment.objects.get(), items=[])


def test_another_units_parcel_mentions_only_its_own_items(
    client, units, shared_order, installed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ship(client, units[1], shared_order, "line-b", 1, carrier="EMS", tracking="EMS002", ful_id="ful-2")

    [mail] = mailoutbox
    assert "Museum 2" in mail.subject and "Product of line-b" in mail.body and "EMS002" in mail.body
    assert "Museum 1" not in mail.body + mail.subject and "Product of line-a" not in mail.body


def test_the_mail_speaks_the_buyers_language_when_known(
    client, units, shared_order, installed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ship(
            client, units[0], shared_order, "line-a", 3, carrier="SF Express", tracking="SF42", ful_id="ful-1"
        )
    ShipmentMail.objects.update(language="en")
    for callback in callbacks:
        callback()

    [mail] = mailoutbox
    assert mail.subject == f"Order #{shared_order.number}: Museum 1 has shipped your items"
    assert "Museum 1 has shipped these items of your order" in mail.body
    assert "Carrier: SF Express" in mail.body and "Tracking number: SF42" in mail.body
    assert "See your order: http" in mail.body and "快递" not in mail.body


def test_a_failing_mail_server_never_fails_the_shipping_action(
    client, units, shared_order, installed, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2

    with django_capture_on_commit_callbacks(execute=True):
        response = ship(
            client, units[0], shared_order, "line-a", 1, carrier="EMS", tracking="EMS9", ful_id="ful-1"
        )

    assert response.status_code == 302
    assert Fulfilment.objects.get().tracking_number == "EMS9"
    assert ShipmentMail.objects.get().sent_at is None  # left unsent, not marked: a retry may still send it
