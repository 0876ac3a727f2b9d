"""In Debian's chromium: the totals under an order keep each amount beside its label, however long the
shipping method's name (the quick start's "运费 (标准快递 Standard delivery)" wrapped and pushed 合计 below
its amount). Screenshot in tests/artifacts/storefront/ (gitignored)."""

from __future__ import annotations

import copy
import re

import httpx
import pytest
import respx
from django.test import RequestFactory

from storefront.views import order_link
from tests.conftest import RECORDED_API_URL
from tests.recording import load_exchange
from tests.storefront.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LONG_METHOD = "标准快递 Standard delivery, two to four working days"


def test_each_total_stays_beside_its_label_when_the_shipping_label_wraps(live_server, browser, settings):
    settings.SALEOR_API_URL = RECORDED_API_URL
    response = copy.deepcopy(load_exchange("StorefrontOrder")["response"])
    response["data"]["order"]["shippingMethodName"] = LONG_METHOD
    link = order_link(RequestFactory().get("/"), response["data"]["order"]["id"]).removeprefix(
        "http://testserver"
    )
    page = browser.new_context(
        java_script_enabled=False, locale="zh-CN", viewport={"width": 1280, "height": 900}
    ).new_page()
    page.route(re.compile(r"^http://127\.0\.0\.1:8000/"), lambda route: route.abort())  # Saleor's thumbnails

    with respx.mock(assert_all_called=False) as saleor:
        saleor.post(RECORDED_API_URL).mock(return_value=httpx.Response(200, json=response))
        page.goto(live_server.url + link)

    page.screenshot(path=str(ARTIFACTS / "order-totals-long-shipping-name.png"), full_page=True)
    labels, amounts = page.locator(".totals dt"), page.locator(".totals dd")
    assert LONG_METHOD in labels.first.inner_text()
    assert labels.count() == amounts.count() == 2
    for i in range(2):
        label, amount = labels.nth(i).bounding_box(), amounts.nth(i).bounding_box()
        assert abs(label["y"] - amount["y"]) < 2, (i, label, amount)  # on the label's first line
        assert amount["x"] >= label["x"] + label["width"]  # to its right, not under it
    assert (
        labels.nth(1).bounding_box()["y"]
        > labels.nth(0).bounding_box()["y"] + labels.nth(0).bounding_box()["height"] - 2
    )
