"""The orders list with its bulk shipping form, the unit's navigation and a packing slip in chromium, on a
phone and on a desktop, on screen and printed (shots in tests/artifacts/office)."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdf
import pytest

from core import clock
from orders.models import Order, OrderLine
from tests.auth import browser_log_in, login_verified
from tests.catalog.factories import active_unit
from tests.payments.settlement.conftest import pay
from tests.unit_onboarding.factories import UserFactory, operator_of
from unit_onboarding.models import UnitMembership

from .test_browser import PASSWORD, SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ADDRESS = {
    "firstName": "小明",
    "lastName": "王",
    "phone": "+8613800000000",
    "countryArea": "重庆市",
    "city": "渝中区",
    "streetAddress1": "解放碑步行街1号",
    "postalCode": "400010",
}


def paid_order(unit, other, n: int) -> Order:
    order = Order.objects.create(
        saleor_id=f"browser-order-{n}",
        number=str(2000 + n),
        status="UNFULFILLED",
        charge_status="FULL",
        currency="CNY",
        total=30000,
        shipping_address=ADDRESS,
        customer_email="buyer@example.cn",
        created_in_saleor="2026-12-01T02:00:00+00:00",
        saleor_updated_at="2026-12-01T02:00:00+00:00",
    )
    for i, (owner, name, sku) in enumerate(
        [
            (unit, "三峡纹样丝巾·限量版", "SX-SILK-01"),
            (unit, "青铜鎏金书签", "SX-BM-02"),
            (other, "别馆的瓷杯", "OT-CUP"),
        ]
    ):
        OrderLine.objects.create(
            order=order,
            saleor_id=f"browser-line-{n}-{i}",
            unit=owner,
            product_name=name,
            variant_name="红色" if i == 0 else "",
            sku=sku,
            quantity=i + 1,
            undiscounted_total=9900,
            total_net=9900,
            currency="CNY",
        )
    return order


def selling_unit_signed_in(client, *, payments: int, tag: str):
    """The Three Gorges shop with three paid orders (each also holding another unit's line) and `payments`
    paid sales posted on the days before, its finance member signed in on `client`: the unit."""
    unit = active_unit("重庆中国三峡博物馆文创中心")
    other = active_unit("别的馆")
    finance = operator_of(unit, UnitMembership.Role.FINANCE)
    for n in range(3):
        paid_order(unit, other, n)
    for n in range(payments):
        pay(f"{tag}-{n}", unit.party_key, 12_800 + n * 100, clock.now() - timedelta(days=n + 1))
    login_verified(client, finance)
    return unit


@pytest.mark.parametrize("width", [375, 1280])
def test_orders_nav_and_packing_slip_on_screen_and_on_paper(browser, live_server, width):
    unit = active_unit("重庆中国三峡博物馆文创中心")
    other = active_unit("别的馆")
    library = active_unit("重庆图书馆")
    user = UserFactory()
    user.set_password(PASSWORD)
    user.save()
    UnitMembership.objects.create(user=user, unit=unit, role=UnitMembership.Role.OPERATOR)
    UnitMembership.objects.create(user=user, unit=library, role=UnitMembership.Role.OPERATOR)
    orders = [paid_order(unit, other, n) for n in range(3)]
    page = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}).new_page()
    browser_log_in(page, live_server.url, user.email, PASSWORD)
    page.wait_for_url("**/office/")  # two units: the choice

    page.goto(f"{live_server.url}/orders/units/{unit.uid}/orders/")

    nav = page.locator("nav.unit-nav")
    assert nav.locator("[aria-current=page]").inner_text() == "订单"
    assert nav.locator("h2").inner_text() == "重庆中国三峡博物馆文创中心"
    assert page.locator("#unit-switch option").all_inner_texts() == [
        "重庆中国三峡博物馆文创中心",
        "重庆图书馆",
    ]
    assert page.locator("input[name=ship]").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no horizontal overflow
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"orders-list-{width}.png"), full_page=True)

    page.locator(f"a[href$='/orders/{orders[0].pk}/packing-slip/']").click()
    page.wait_for_url(f"**/orders/{orders[0].pk}/packing-slip/")
    slip = page.locator("#packing-slip")
    assert "三峡纹样丝巾·限量版 · 红色" in slip.inner_text() and "别馆的瓷杯" not in slip.inner_text()
    assert "解放碑步行街1号" in page.locator("#ship-to").inner_text()
    assert page.locator("button[data-print]").is_visible()  # JavaScript shows the print button
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # the slip fits a phone
    assert page.locator("nav.unit-nav a[aria-current=true]").inner_text() == "订单"
    page.screenshot(path=str(SHOTS / f"packing-slip-{width}.png"), full_page=True)

    page.emulate_media(media="print")
    assert not page.locator("header").is_visible() and not nav.is_visible()
    assert not page.locator("button[data-print]").is_visible()
    assert slip.is_visible()
    page.screenshot(path=str(SHOTS / f"packing-slip-print-{width}.png"), full_page=True)
    if width == 1280:  # the printed page itself: one A4 sheet
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        (SHOTS / "packing-slip.pdf").write_bytes(pdf)
        sheets = pypdf.PdfReader(io.BytesIO(pdf)).pages
        assert len(sheets) == 1 and [round(x) for x in sheets[0].mediabox[2:]] == [595, 842]  # A4
