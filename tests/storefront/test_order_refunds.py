"""The buyer's order page and order list show each granted parcel refund of that order only: whose parcel,
the goods and the shipping apart, the days in Asia/Shanghai, how far it is; in zh-Hans and in English."""

from __future__ import annotations

import html as html_module
import re
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from orders.models import Order, OrderLine, ParcelRefund
from storefront.views import order_link
from tests.conftest import RECORDED_API_URL
from tests.recording import replay_scenes
from tests.unit_onboarding.factories import UserFactory

from . import test_pages_recorded as recorded

pytestmark = pytest.mark.django_db
RECORDED_ORDER = recorded.RECORDED_ORDER
units, saleor = recorded.units, recorded.saleor  # fixtures: the recorded shop's units, Saleor at the edge
OTHER_ORDER = "T3JkZXI6b3RoZXItYnV5ZXJzLW9yZGVy"
# granted at 18:00 UTC on 3 December: already the 4th in Shanghai; paid back on the 5th (Shanghai)
GRANTED = datetime(2026, 12, 3, 18, tzinfo=UTC)
REFUNDED = datetime(2026, 12, 5, 2, tzinfo=UTC)


def order(saleor_id: str) -> Order:
    return Order.objects.create(
        saleor_id=saleor_id,
        status="UNFULFILLED",
        currency="USD",
        total=2592,
        saleor_updated_at=timezone.now(),
    )


def line(order: Order, unit, name: str, quantity: int, net: int) -> OrderLine:
    return OrderLine.objects.create(
        order=order,
        saleor_id=f"{order.saleor_id}-{name}",
        unit=unit,
        product_name=name,
        quantity=quantity,
        undiscounted_total=net,
        total_net=net,
        currency="USD",
    )


def refund(order, unit, *, lines, amount, shipping=0, status=ParcelRefund.Status.REFUNDING, **more):
    asker = UserFactory()
    decided = (
        {}
        if status == ParcelRefund.Status.REQUESTED
        else {"decided_by": UserFactory(), "decided_at": GRANTED}
    )
    return ParcelRefund.objects.create(
        order=order,
        unit=unit,
        lines=[[ln.pk, q] for ln, q in lines],
        shipping=bool(shipping),
        amount=amount,
        shipping_amount=shipping,
        currency="USD",
        reason=more.pop("reason", "库存不足，无法发货"),  # noqa: RUF001
        order_seen_at=order.saleor_updated_at,
        requested_by=asker,
        requested_at=GRANTED,
        status=status,
        **decided,
        **more,
    )


@pytest.fixture
def refunds(units):
    """The recorded buyer's order: the museum's parcel refunded (goods and shipping), the library's granted
    for one item and on its way; a request nobody decided yet; and another buyer's order's refund."""
    museum, library = units
    mine, theirs = order(RECORDED_ORDER["id"]), order(OTHER_ORDER)
    museum_line = line(mine, museum, "三峡文创书签", 1, 1200)
    library_line = line(mine, library, "图书馆帆布袋", 2, 1000)
    paid_back = refund(
        mine,
        museum,
        lines=[(museum_line, 1)],
        amount=1200 + 500,
        shipping=500,
        status=ParcelRefund.Status.REFUNDED,
        refunded_at=REFUNDED,
    )
    on_its_way = refund(mine, library, lines=[(library_line, 1)], amount=500, reason="包裹破损")
    refund(mine, library, lines=[(library_line, 1)], amount=500, status=ParcelRefund.Status.REQUESTED)
    other = line(theirs, museum, "别人的订单商品", 1, 9900)
    refund(theirs, museum, lines=[(other, 1)], amount=9900, reason="别人的退款")
    return paid_back, on_its_way


def order_html(client, rf, order_id: str, prefix: str = "") -> str:
    link = order_link(rf.get("/"), order_id).removeprefix("http://testserver")
    return html_module.unescape(client.get(prefix + link).content.decode())


def rows(html: str) -> dict[str, str]:
    """The refunds table's rows by refund id, as text."""
    found = re.findall(r'<tr class="refund [^"]*" data-refund="(\d+)">(.*?)</tr>', html, re.S)
    return {pk: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip() for pk, body in found}


def test_the_order_page_shows_each_granted_parcel_refund_in_chinese(client, saleor, rf, refunds):
    paid_back, on_its_way = refunds
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontOrder")

    page = order_html(client, rf, RECORDED_ORDER["id"])

    assert "<h2>退款</h2>" in page
    shown = rows(page)
    assert list(shown) == [str(paid_back.pk), str(on_its_way.pk)]  # the undecided request is not the buyer's
    assert shown[str(paid_back.pk)] == (
        "三峡博物馆 三峡文创书签 × 1 库存不足，无法发货 US$12.00 US$5.00 US$17.00 "  # noqa: RUF001
        "2026年12月4日 批准 2026年12月5日 已退款 已退款"
    )
    assert shown[str(on_its_way.pk)] == (
        "重庆图书馆 图书馆帆布袋 × 1 包裹破损 US$5.00 — US$5.00 2026年12月4日 批准 "  # noqa: RUF001
        "已批准，正在退回您的原支付方式"  # noqa: RUF001
    )
    assert "别人" not in page  # another buyer's order's refund


def test_the_order_page_in_english(client, saleor, rf, refunds, units):
    paid_back, on_its_way = refunds
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontOrder")

    page = order_html(client, rf, RECORDED_ORDER["id"], prefix="/en")

    shown = rows(page)
    assert "<h2>Refunds</h2>" in page
    assert shown[str(paid_back.pk)].endswith(
        "$12.00 $5.00 $17.00 Granted December 4, 2026 Refunded December 5, 2026 Refunded"
    )
    assert shown[str(on_its_way.pk)].endswith(
        "Granted December 4, 2026 Granted, on its way back to your payment"
    )
    # each unit as its products name it on English pages
    assert shown[str(paid_back.pk)].startswith("Three Gorges Museum 三峡文创书签 × 1")  # noqa: RUF001
    assert shown[str(on_its_way.pk)].startswith(f"{units[1].legal_name_en} 图书馆帆布袋")


def test_an_order_without_granted_refunds_shows_no_refunds_section(client, saleor, rf, units):
    museum, _ = units
    mine = order(RECORDED_ORDER["id"])
    refund(mine, museum, lines=[], amount=300, shipping=300, status=ParcelRefund.Status.REFUSED)
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontOrder")

    page = order_html(client, rf, RECORDED_ORDER["id"])

    assert "parcel-refunds" not in page and "<h2>退款</h2>" not in page


def test_my_orders_shows_what_was_refunded_on_my_own_orders_only(client, saleor, refunds):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontTokenCreate", "StorefrontMe")
    client.post("/account/login/", {"email": "buyer@example.cn", "password": "x"})

    page = html_module.unescape(client.get("/account/").content.decode())

    # 17.00 paid back + 5.00 granted on the buyer's one order; the undecided request and the other
    # buyer's 99.00 are not counted
    assert re.findall(r'<td class="order-refunded">([^<]*)</td>', page) == ["US$22.00"]
    assert "US$99.00" not in page
