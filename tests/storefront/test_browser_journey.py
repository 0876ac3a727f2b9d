"""A buyer in Debian's chromium, JavaScript off, on the live Saleor: search, two units' products, one
cart, checkout up to the payment step. Screenshots go to tests/artifacts/storefront/ (gitignored)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import chromium_path
from tests.live_saleor import StaffSession
from tests.storefront.live_catalog import live_shop_create, live_shop_remove

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "storefront"


@pytest.fixture
def live_shop(settings, saleor_api_url):
    settings.SALEOR_API_URL = saleor_api_url
    staff = StaffSession(saleor_api_url)
    shop = live_shop_create(staff)
    try:
        yield shop
    finally:
        live_shop_remove(staff, shop)


@pytest.fixture
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server's DB work is elsewhere.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_a_buyer_without_javascript_searches_buys_from_two_units_and_reaches_payment(
    live_server, live_shop, browser
):
    page = browser.new_context(java_script_enabled=False, locale="zh-CN").new_page()

    def shot(name: str) -> None:
        page.wait_for_load_state("networkidle")  # pictures come from Saleor's thumbnail URLs
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"  # keyboard users can skip the header
    shot("01-home")

    for product, number in ((live_shop.museum_product, 2), (live_shop.library_product, 3)):
        page.fill("#q", product["name"].split()[0])
        page.press("#q", "Enter")
        page.click(f"a[href='/products/{product['slug']}/']")
        assert page.locator("h1").inner_text() == product["name"]
        shot(f"0{number}-product-{product['slug']}")
        page.click("form.add button[type=submit]")
        assert page.url.endswith("/cart/")

    groups = page.locator(".seller-group h2").all_inner_texts()
    assert groups == ["三峡博物馆", "重庆图书馆"]
    shot("04-cart-grouped-by-unit")

    page.click("text=去结算")
    page.fill("#id_email", "buyer@example.cn")
    page.fill("#id_name", "张三")
    page.fill("#id_phone", "+86 138 0013 8000")
    page.fill("#id_province", "广东省")
    page.fill("#id_city", "深圳市")
    page.fill("#id_district", "南山区")
    page.fill("#id_street", "科技园路1号")
    page.fill("#id_postal_code", "518057")
    page.click("text=保存地址")
    assert page.locator("input[name=method]").count() >= 1
    shot("05-checkout-shipping")
    page.click("text=继续付款")

    assert page.url.endswith("/checkout/pay/")
    assert page.locator("#total").inner_text()
    assert page.locator(".seller-group h2").all_inner_texts() == ["三峡博物馆", "重庆图书馆"]
    shot("06-payment-step")
    page.click("#pay")
    # The card form is the payments app's page for this cart (what it shows depends on the app's install).
    assert "/payments/gateway/pay?checkout=" in page.url
    shot("07-payments-page")
