"""The buyer's mail when a unit's parcel refund is granted: once, naming the unit, the items, the goods and
the parcel's shipping apart, the day of the grant in Asia/Shanghai, and the signed link to the order."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import respx
from django.core import signing

from orders import parcel_refunds, tasks
from orders.links import ORDER_LINK_SALT
from orders.models import ParcelRefund
from saleor_app.client import SaleorClient

from . import test_parcel_refunds as refunds
from .test_parcel_refunds import API, FakeSaleor, ask, museum_line

pytestmark = pytest.mark.django_db
_now, paid = refunds._now, refunds.paid  # fixtures: the business clock at NOW, a paid two-parcel order
# 01:30 on 11 December in Shanghai, still 10 December in UTC: the buyer reads the Shanghai day
LATE = datetime(2026, 12, 10, 17, 30, tzinfo=UTC)


def approve(refund, actor, fake=None):
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=fake or FakeSaleor())
        return parcel_refunds.parcel_refund_approve(
            refund_id=refund.pk, actor=actor, client=SaleorClient(API, "token")
        )


def test_a_granted_parcel_refund_mails_the_buyer_once_goods_and_shipping_apart(
    paid, mailoutbox, django_capture_on_commit_callbacks, time_machine, settings
):
    museum, _library, _so, order, people = paid
    refund = ask(
        order, museum, people["operator"], quantities={museum_line(order, museum).pk: 1}, shipping=True
    )
    time_machine.move_to(LATE, tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        done = approve(refund, people["finance"])

    assert done.status == ParcelRefund.Status.REFUNDING
    [mail] = mailoutbox
    assert mail.to == ["buyer@example.cn"]
    assert mail.subject == f"订单 #{order.number}：三峡博物馆 向您退款 ¥39.00"  # noqa: RUF001
    assert f"三峡博物馆 已批准您订单 #{order.number} 的退款。" in mail.body
    assert "退款商品:\n- Product of line-a x 1\n" in mail.body
    assert "商品: ¥25.00\n本包裹运费: ¥14.00\n退款合计: ¥39.00\n" in mail.body
    assert "原因: 包裹破损 买家拒收" in mail.body
    assert "批准日期: 2026-12-11" in mail.body  # the Shanghai day, not UTC's 10th
    link = re.search(r"(https?://\S+)", mail.body).group(1)
    assert link.startswith(f"{settings.APP_PUBLIC_URL}/")
    assert signing.loads(link.rstrip("/").rsplit("/", 1)[1], salt=ORDER_LINK_SALT) == {"order": "order-p"}
    assert ParcelRefund.objects.get(pk=refund.pk).buyer_mailed_at == LATE

    tasks.mail_parcel_refund.delay(refund.pk)  # the task delivered twice
    tasks.mail_parcel_refund(refund.pk)
    assert len(mailoutbox) == 1


def test_a_goods_only_refund_names_no_shipping(paid, mailoutbox, django_capture_on_commit_callbacks):
    museum, _library, _so, order, people = paid
    refund = ask(order, museum, people["operator"], quantities={museum_line(order, museum).pk: 2})

    with django_capture_on_commit_callbacks(execute=True):
        approve(refund, people["finance"])

    [mail] = mailoutbox
    assert "¥50.00" in mail.subject and "x 2" in mail.body
    assert "商品: ¥50.00" in mail.body and "运费" not in mail.body


def test_no_mail_for_a_refund_asked_refused_or_refused_by_saleor(
    paid, mailoutbox, django_capture_on_commit_callbacks
):
    museum, _library, _so, order, people = paid
    line = museum_line(order, museum)
    with django_capture_on_commit_callbacks(execute=True):
        refused = ask(order, museum, people["operator"], quantities={line.pk: 1})
        parcel_refunds.parcel_refund_refuse(refund_id=refused.pk, actor=people["finance"], note="已发货")
        failing = ask(order, museum, people["operator"], quantities={line.pk: 1})
        failed = approve(
            failing,
            people["finance"],
            FakeSaleor(grant_errors=[{"field": "amount", "code": "X", "message": "no"}]),
        )

    assert failed.status == ParcelRefund.Status.FAILED
    assert mailoutbox == []
    for refund in (refused, failed):  # a task run anyway for them sends nothing either
        tasks.mail_parcel_refund(refund.pk)
    assert mailoutbox == []
