"""An operator asks for a parcel refund in chromium at phone width: the form, then the refunds page
(shots in tests/artifacts/orders)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orders.models import Order, ParcelRefund
from tests.auth import browser_log_in
from tests.office.test_browser import PASSWORD
from tests.orders.test_parcel_refunds import paid  # noqa: F401 (the fixture)
from tests.shipping.conftest import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "orders"  # gitignored


@pytest.fixture(autouse=True)
def _now(time_machine):
    """The day the shipping rates of the paid order are in force (ticking: the browser's session runs)."""
    time_machine.move_to(NOW, tick=True)


def test_an_operator_asks_for_a_parcel_refund_on_a_phone(browser, live_server, paid):  # noqa: F811
    museum, _library, _saleor_order, order, people = paid
    operator = people["operator"]
    operator.set_password(PASSWORD)
    operator.save()
    line = order.lines.get(unit=museum)
    page = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 900}).new_page()
    browser_log_in(page, live_server.url, operator.email, PASSWORD)
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/orders/units/{museum.uid}/orders/{order.pk}/")
    assert page.locator("#refund-form").is_visible()
    page.fill(f"#refund-{line.pk}", "1")
    page.check("input[name=shipping]")
    page.fill("#reason", "快递破损 买家拒收")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "parcel-refund-form-375.png"), full_page=True)
    page.click("#refund-form button[type=submit]")
    page.wait_for_url(f"**/orders/units/{museum.uid}/refunds/")

    row = page.locator("#refunds tr[id^=refund-]")
    assert row.count() == 1
    assert "¥39.00" in row.inner_text() and "待审批" in row.inner_text()
    assert page.locator("text=批准并退款").count() == 0  # the asker never approves
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SHOTS / "parcel-refunds-375.png"), full_page=True)
    refund = ParcelRefund.objects.get()
    assert (refund.order, refund.amount, refund.requested_by) == (Order.objects.get(), 3900, operator)
