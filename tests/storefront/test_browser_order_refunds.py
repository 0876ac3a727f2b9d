"""In Debian's chromium: the buyer's order page lists each granted parcel refund as a row of its own, every
figure beside its parcel, in Chinese and in English. Screenshots: tests/artifacts/storefront/ (gitignored)."""

from __future__ import annotations

import re

import httpx
import pytest
import respx
from django.test import RequestFactory

from storefront.views import order_link
from tests.conftest import RECORDED_API_URL
from tests.recording import load_exchange
from tests.storefront.conftest import ARTIFACTS

from . import test_order_refunds as page_tests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
units, refunds = page_tests.units, page_tests.refunds  # fixtures: two units, the buyer's refunds


@pytest.mark.parametrize(
    ("prefix", "locale", "title", "paid_back", "amount"),
    [("", "zh-CN", "退款", "已退款", "US$17.00"), ("/en", "en-GB", "Refunds", "Refunded", "$17.00")],
)
def test_each_refund_is_one_row_with_its_figures_beside_its_parcel(
    live_server, browser, refunds, prefix, locale, title, paid_back, amount
):
    paid, on_its_way = refunds
    response = load_exchange("StorefrontOrder")["response"]
    link = order_link(RequestFactory().get("/"), response["data"]["order"]["id"]).removeprefix(
        "http://testserver"
    )
    page = browser.new_context(
        java_script_enabled=False, locale=locale, viewport={"width": 1280, "height": 900}
    ).new_page()
    page.route(re.compile(r"^http://127\.0\.0\.1:8000/"), lambda route: route.abort())  # Saleor's thumbnails

    with respx.mock(assert_all_called=False) as saleor:
        saleor.post(RECORDED_API_URL).mock(return_value=httpx.Response(200, json=response))
        page.goto(live_server.url + prefix + link)

    section = page.locator(".parcel-refunds")
    section.scroll_into_view_if_needed()
    page.screenshot(
        path=str(ARTIFACTS / f"order-parcel-refunds{prefix.replace('/', '-') or '-zh'}.png"), full_page=True
    )
    assert section.locator("h2").inner_text() == title
    rows = section.locator("tbody tr")
    assert rows.count() == 2
    first = section.locator(f'tr[data-refund="{paid.pk}"]')
    assert first.locator(".refund-amount").inner_text() == amount
    assert first.locator(".refund-status").inner_text() == paid_back
    # every figure of a refund sits on its parcel's row, left to right, none wrapped under another
    for refund in (paid, on_its_way):
        row = section.locator(f'tr[data-refund="{refund.pk}"]')
        unit = row.locator("th").bounding_box()
        cells = [
            row.locator(f".refund-{c}").bounding_box()
            for c in ("goods", "shipping", "amount", "date", "status")
        ]
        for left, right in zip([unit, *cells], cells, strict=False):
            assert right["x"] >= left["x"] + left["width"] - 1, (refund.pk, left, right)
        assert all(abs(cell["y"] - unit["y"]) < 2 for cell in cells), (refund.pk, unit, cells)
