"""The buyer's journey in Debian's chromium without a live Saleor: the storefront's pages replay the
recorded scenes step by step, the payment page talks to a Saleor double whose sync webhooks call this
app's gateway, and the card is really paid on localstripe through its Stripe.js Card Element.
Screenshots go to tests/artifacts/storefront/recorded-*.png (gitignored)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import httpx
import pytest
import respx

from catalog import saleor_metadata as keys
from tests.conftest import RECORDED_API_URL
from tests.factories import SaleorInstallationFactory
from tests.localstripe_server import localstripe_running, stripe_test_settings
from tests.payments.gateway.buyer_saleor import StorefrontSaleor
from tests.recording import load_exchange
from tests.storefront.conftest import ARTIFACTS, card_fill
from tests.unit_onboarding.factories import UnitFactory
from unit_onboarding.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
UNITS = ["三峡博物馆", "重庆图书馆"]
MUSEUM = load_exchange("StorefrontProduct.museum")["response"]["data"]["product"]
LIBRARY = load_exchange("StorefrontProduct.library")["response"]["data"]["product"]
READY = load_exchange("StorefrontCheckout.ready")
ORDER = load_exchange("StorefrontOrder")["response"]["data"]["order"]


def unit_id_of(product: dict) -> int:
    return int(next(m["value"] for m in product["metadata"] if m["key"] == keys.UNIT_ID))


class RecordedSaleor:
    """Saleor at the HTTP edge: the storefront scenes the test plays now; payment operations go to the
    double that runs this app's gateway services (as Saleor's sync webhooks would)."""

    def __init__(self, payments: StorefrontSaleor) -> None:
        self.payments = payments
        self.exchanges: dict[str, dict] = {}

    def play(self, *recordings: str) -> None:
        self.exchanges = {e["operationName"]: e for e in map(load_exchange, recordings)}

    def handle(self, request: httpx.Request) -> httpx.Response:
        name = json.loads(request.content).get("operationName") or ""
        if name.startswith("Payment"):
            return self.payments.handle(request)
        if name not in self.exchanges:
            return httpx.Response(599, json={"errors": [{"message": f"no recording for operation {name}"}]})
        return httpx.Response(self.exchanges[name]["status"], json=self.exchanges[name]["response"])


@pytest.fixture
def saleor(live_server, settings):
    settings.SALEOR_API_URL = RECORDED_API_URL
    settings.SALEOR_APP_IDENTIFIER = "cn.wenchuang.payments"
    UnitFactory(pk=unit_id_of(MUSEUM), status=Unit.Status.ACTIVE, display_name=UNITS[0])
    UnitFactory(pk=unit_id_of(LIBRARY), status=Unit.Status.ACTIVE, display_name=UNITS[1])
    payments = StorefrontSaleor(SaleorInstallationFactory(api_url=RECORDED_API_URL))
    # The recorded cart, at its recorded total, is the checkout the payment page pays.
    gross = READY["response"]["data"]["checkout"]["totalPrice"]["gross"]
    payments.checkouts[READY["variables"]["id"]] = {
        "amount": str(Decimal(gross["fractionalAmount"]) / 10 ** gross["fractionDigits"]),
        "currency": gross["currency"],
    }
    recorded = RecordedSaleor(payments)
    with localstripe_running() as stripe_url, respx.mock(assert_all_called=False) as mock:
        stripe_test_settings(settings, stripe_url)
        mock.post(RECORDED_API_URL).mock(side_effect=recorded.handle)
        yield recorded


def test_a_buyer_fills_one_cart_from_two_units_pays_by_card_and_sees_the_order_by_unit(
    live_server, saleor, browser
):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    # Saleor's thumbnails are not served here: blocked, so no page waits on them.
    context.route(re.compile(r"^http://127\.0\.0\.1:8000/"), lambda route: route.abort())

    def shot(name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"recorded-{name}.png"), full_page=True)

    saleor.play("StorefrontHome.home")
    page.goto(live_server.url + "/")
    saleor.play("StorefrontProducts.unit")  # the museum's shop (search covers the units' listings only)
    page.goto(f"{live_server.url}/units/{unit_id_of(MUSEUM)}/")
    saleor.play("StorefrontProduct.museum")
    page.click(f"a[href='/products/{MUSEUM['slug']}/']")
    assert page.locator("h1").inner_text() == MUSEUM["name"]
    shot("01-museum-product")
    saleor.play("StorefrontCheckoutCreate", "StorefrontCheckout.cart")
    page.click("form.add button[type=submit]")
    assert page.url.endswith("/cart/")

    saleor.play("StorefrontProduct.library")
    page.goto(f"{live_server.url}/products/{LIBRARY['slug']}/")
    saleor.play("StorefrontCheckoutLinesAdd", "StorefrontCheckout.cart")
    page.click("form.add button[type=submit]")
    assert page.locator(".seller-group h2").all_inner_texts() == UNITS
    shot("02-cart-grouped-by-unit")

    page.click("text=去结算")
    page.fill("#id_email", "buyer@example.cn")
    page.fill("#id_name", "张三")
    page.fill("#id_phone", "+86 138 0013 8000")
    page.fill("#id_province", "广东省")
    page.fill("#id_city", "深圳市")
    page.fill("#id_district", "南山区")
    page.fill("#id_street", "科技园路1号")
    page.fill("#id_postal_code", "518057")
    saleor.play("StorefrontCheckoutContact", "StorefrontCheckout.address")
    page.click("text=保存地址")
    assert page.locator("input[name=method]").count() >= 1
    saleor.play("StorefrontCheckoutDelivery.address", "StorefrontCheckout.ready")
    page.click("text=继续付款")
    assert page.url.endswith("/checkout/pay/")
    total = page.locator("#total").inner_text()
    shot("03-payment-step")

    # Paying needs JavaScript (Stripe.js): the same cookies in a context with scripts on.
    context = browser.new_context(
        java_script_enabled=True, locale="zh-CN", storage_state=context.storage_state()
    )
    context.route(re.compile(r"^http://127\.0\.0\.1:8000/"), lambda route: route.abort())
    page = context.new_page()
    page.goto(live_server.url + "/checkout/pay/")
    page.click("#pay")
    assert "/payments/gateway/pay?checkout=" in page.url
    card_fill(page)
    shot("04-card")
    saleor.play("StorefrontOrder")
    page.click("#pay")
    page.wait_for_url(re.compile(r"/orders/[^/]+/$"), timeout=60_000)

    assert page.locator("h1").inner_text().endswith(str(ORDER["number"]))
    assert page.locator(".seller-group h2").all_inner_texts() == UNITS
    assert page.locator(".seller-group .fulfilment-state").all_inner_texts() == ["待发货", "待发货"]
    assert page.locator(".totals strong").inner_text() == total  # the recorded order is the recorded cart's
    assert saleor.payments.completed == [READY["variables"]["id"]]
    shot("05-order-by-unit")
