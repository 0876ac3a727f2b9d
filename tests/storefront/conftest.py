"""Storefront fixtures: a fresh cache namespace per test (Redis is real, keys are not shared); for live
tests, this service installed in the live Saleor as its payment app."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.utils import translation

from saleor_app.installer import app_install
from tests.conftest import chromium_env, chromium_path
from tests.live_saleor import WAIT_SECONDS, StaffSession
from tests.localstripe_server import localstripe_running, stripe_test_settings
from tests.storefront.live_catalog import live_shop_open


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"wc-test-{uuid.uuid4().hex[:12]}"}
    }


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request to an /en/ page leaves English active in the
    thread (LocaleMiddleware), which would make a later test's reverse() build /en/ links."""
    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture
def staff(saleor_api_url):
    return StaffSession(saleor_api_url)


@pytest.fixture
def live_shop(settings, staff, saleor_api_url):
    """Live: the storefront sells in a shop of the test's own, whatever SALEOR_CHANNEL_SLUG names."""
    settings.SALEOR_API_URL = saleor_api_url
    with live_shop_open(staff) as shop:
        settings.SALEOR_CHANNEL_SLUG = shop.channel_slug
        yield shop


@pytest.fixture
def buyer_email(staff):
    """Live: a new buyer's address; their Saleor account (made by the test) is removed afterwards."""
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.cn"
    yield email
    found = staff.gql("query($e: String!) { user(email: $e) { id } }", {"e": email})["user"]
    if found:
        staff.gql(
            "mutation($id: ID!) { customerDelete(id: $id) { errors { message } } }", {"id": found["id"]}
        )


@pytest.fixture
def payment_app(live_server, settings, saleor_api_url):
    """This service (live_server) installed in Saleor as its Stripe payment app, Stripe being localstripe."""
    staff = StaffSession(saleor_api_url)
    with localstripe_running() as stripe_url:
        stripe_test_settings(settings, stripe_url)
        with this_service_installed(
            staff, live_server, settings, saleor_api_url, "cn.wenchuang.storefront-pay"
        ) as app:
            yield app


@contextmanager
def this_service_installed(staff: StaffSession, live_server, settings, saleor_api_url: str, identifier: str):
    """This service (live_server) installed in Saleor as an app of its own (`identifier` plus a random
    suffix); the app is deleted from Saleor afterwards."""
    settings.APP_PUBLIC_URL = live_server.url
    settings.SALEOR_API_URL = saleor_api_url
    settings.SALEOR_APP_IDENTIFIER = f"{identifier}-{uuid.uuid4().hex[:8]}"
    settings.SALEOR_ALLOWED_API_URLS = [saleor_api_url]
    try:
        yield app_install(
            api_url=saleor_api_url, email=staff.email, password=staff.password, timeout=WAIT_SECONDS
        )
    finally:
        app = staff.app_by_identifier(settings.SALEOR_APP_IDENTIFIER)
        if app:
            staff.delete_app(app["id"])


ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "storefront"  # screenshots (gitignored)


@pytest.fixture
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server's DB work is elsewhere.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            env=chromium_env(),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


# A buyer in Shenzhen as the checkout's contact and delivery form takes it (field names as posted).
SHENZHEN_BUYER = {
    "email": "buyer@example.cn",
    "name": "张三",
    "phone": "+86 138 0013 8000",
    "province": "广东省",
    "city": "深圳市",
    "district": "南山区",
    "street": "科技园路1号",
    "postal_code": "518057",
}


def address_fill(page, email: str = SHENZHEN_BUYER["email"]) -> None:
    """Fill the checkout's contact and delivery form with the Shenzhen buyer (not yet saved)."""
    for field, value in {**SHENZHEN_BUYER, "email": email}.items():
        page.fill(f"#id_{field}", value)


def card_fill(page, *, number: str = "4242424242424242", postal_code: str = "") -> None:
    """Type a test card into localstripe's Stripe.js Card Element on the payment page."""
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill(number)
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("30")
    card.locator("input[placeholder=cvc]").fill("123")
    if postal_code:
        card.locator("input[placeholder=postal_code]").fill(postal_code)
