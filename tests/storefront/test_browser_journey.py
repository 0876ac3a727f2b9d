"""A new buyer in Debian's chromium on the live Saleor, this service installed as its payment app:
two units' shops and products, one cart, checkout without JavaScript, pay by card on localstripe, the
confirmation grouped by unit, then register and find the order in the account.
Screenshots go to tests/artifacts/storefront/ (gitignored)."""

from __future__ import annotations

import re

import pytest

from tests.live_saleor import StaffSession
from tests.storefront.conftest import ARTIFACTS, address_fill, card_fill

pytestmark = [pytest.mark.saleor_live, pytest.mark.browser, pytest.mark.django_db(transaction=True)]
UNITS = ["三峡博物馆", "重庆图书馆"]


def confirm_email_as_the_emailed_link_would(staff: StaffSession, email: str) -> None:
    """Saleor mails the confirmation link; confirming the account links the buyer's guest orders to it."""
    user = staff.gql("query($e: String!) { user(email: $e) { id } }", {"e": email})["user"]
    result = staff.gql(
        "mutation($id: ID!) { customerUpdate(id: $id, input: {isConfirmed: true}) { errors { message } } }",
        {"id": user["id"]},
    )
    assert result["customerUpdate"]["errors"] == []


def test_a_new_buyer_buys_from_two_units_pays_by_card_and_finds_the_order_in_the_account(
    live_server, live_shop, payment_app, browser, staff, buyer_email
):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()

    def shot(name: str) -> None:
        page.wait_for_load_state("networkidle")  # pictures come from Saleor's thumbnail URLs
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"  # keyboard users can skip the header
    shot("01-home")

    shops = (
        (live_shop.museum_product, live_shop.museum, 2),
        (live_shop.library_product, live_shop.library, 3),
    )
    for product, unit, number in shops:
        page.goto(f"{live_server.url}/units/{unit.pk}/")  # search covers the units' own listings only
        page.click(f"a[href='/products/{product['slug']}/']")
        assert page.locator("h1").inner_text() == product["name"]
        shot(f"0{number}-product-{product['slug']}")
        page.click("form.add button[type=submit]")
        assert page.url.endswith("/cart/")

    assert page.locator(".seller-group h2").all_inner_texts() == UNITS
    shot("04-cart-grouped-by-unit")

    page.click("text=去结算")
    address_fill(page, buyer_email)
    page.click("text=保存地址")
    page.wait_for_load_state("load")  # the click returns as the next page starts loading
    assert page.locator("input[name=method]").count() >= 1
    shot("05-checkout-shipping")
    page.click("text=继续付款")

    assert page.url.endswith("/checkout/pay/")
    total = page.locator("#total").inner_text()
    assert total
    assert page.locator(".seller-group h2").all_inner_texts() == UNITS
    shot("06-payment-step")

    # Paying is the one step that needs JavaScript (Stripe.js): same cookies, scripts on.
    context = browser.new_context(
        java_script_enabled=True, locale="zh-CN", storage_state=context.storage_state()
    )
    page = context.new_page()
    page.goto(live_server.url + "/checkout/pay/")
    page.click("#pay")
    assert "/payments/gateway/pay?checkout=" in page.url
    assert "TEST MODE" in page.locator(".test-mode-marker").inner_text()
    card_fill(page, postal_code="51805")
    shot("07-payment-card")
    page.click("#pay")
    page.wait_for_url(re.compile(r"/orders/[^/]+/$"), timeout=60_000)

    heading = page.locator("h1").inner_text()
    number = re.search(r"\d+", heading).group(0)
    assert page.locator(".seller-group h2").all_inner_texts() == UNITS
    assert page.locator(".seller-group .fulfilment-state").all_inner_texts() == ["待发货", "待发货"]
    assert page.locator(".totals strong").inner_text() == total
    shot("08-order-confirmation-grouped-by-unit")

    order = staff.gql(
        "query($n: [String!]) { orders(first: 1, filter: {numbers: $n}) { edges { node {"
        " userEmail authorizeStatus chargeStatus } } } }",
        {"n": [number]},
    )["orders"]["edges"][0]["node"]
    assert order["userEmail"] == buyer_email
    assert "FULL" in (order["authorizeStatus"], order["chargeStatus"])

    page.goto(live_server.url + "/account/register/")
    page.fill("#id_name", "张三")
    page.fill("#id_email", buyer_email)
    page.fill("#id_password", "Journey-pass-123")
    page.press("#id_password", "Enter")
    assert page.locator("h1").inner_text() == "账户已创建"
    shot("09-registered")
    confirm_email_as_the_emailed_link_would(staff, buyer_email)

    page.goto(live_server.url + "/account/login/")
    page.fill("#id_email", buyer_email)
    page.fill("#id_password", "Journey-pass-123")
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r"/account/$"))
    assert page.locator("table.orders th[scope=row] a").all_inner_texts() == [number]
    shot("10-account-order-history")
    page.click(f"text={number}")
    page.wait_for_load_state("load")
    assert page.locator(".seller-group h2").all_inner_texts() == UNITS
