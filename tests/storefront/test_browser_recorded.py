"""The buyer's journey in Debian's chromium without a live Saleor: the storefront's pages replay the
recorded scenes step by step, the payment page talks to a Saleor double whose sync webhooks call this
app's gateway, and the card is really paid on localstripe through its Stripe.js Card Element.
Screenshots go to tests/artifacts/storefront/recorded-*.png (gitignored)."""

from __future__ import annotations

import re

import pytest

from tests.storefront.conftest import ARTIFACTS, address_fill, card_fill
from tests.storefront.recorded_shop import LIBRARY, MUSEUM, ORDER, READY, UNITS, recorded_shop, unit_id_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def saleor(live_server, settings):
    with recorded_shop(settings) as recorded:
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
    page.wait_for_load_state("load")  # the click returns as the next page starts loading
    assert page.locator(".seller-group h2").all_inner_texts() == UNITS
    shot("02-cart-grouped-by-unit")

    page.click("text=去结算")
    address_fill(page)
    saleor.play("StorefrontCheckoutContact", "StorefrontCheckout.address")
    page.click("text=保存地址")
    page.wait_for_load_state("load")
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
