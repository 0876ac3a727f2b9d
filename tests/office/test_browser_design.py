"""The shared design system (wenchuang/static/wenchuang/design.css) in chromium: the finance statement, the
unit dashboard and the order list at 375 px and 1280 px without horizontal overflow of the page (the
statement's wide table of lines scrolls inside its wrapper on a phone), the product page of the storefront
likewise; every layout links the design system first. Shots in tests/artifacts/design (gitignored)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from core import clock
from tests.storefront.recorded_shop import MUSEUM, recorded_shop

from .test_browser_orders import selling_unit_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "design"  # gitignored
STYLESHEETS = (
    "() => [...document.querySelectorAll('link[rel=stylesheet]')].map(l => new URL(l.href).pathname)"
)


def fits(page, width: int, name: str) -> None:
    """The page is no wider than the window, links the design system first, and is kept as a shot."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name  # no horizontal overflow
    sheets = page.evaluate(STYLESHEETS)
    assert sheets[0] == "/static/wenchuang/design.css", sheets
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [375, 1280])
def test_back_office_and_finance_pages_fit_a_phone_and_a_desktop(client, live_server, browser, width):
    unit = selling_unit_signed_in(client, payments=4, tag="design")
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()

    page.goto(f"{live_server.url}/office/units/{unit.uid}/")
    assert page.locator("h1").inner_text() == "工作台"
    fits(page, width, "dashboard")

    page.goto(f"{live_server.url}/orders/units/{unit.uid}/orders/")
    assert page.locator("#orders").count() == 1
    fits(page, width, "orders")

    # the sales' period in Beijing days (the page's default, this month, may not hold them on its 1st)
    period = f"?start={clock.today() - timedelta(days=10)}&end={clock.today() + timedelta(days=1)}"
    page.goto(f"{live_server.url}/finance/statements/{unit.party_key}/{period}")
    wrap = page.locator(".table-wrap")
    assert wrap.locator("tr").count() >= 5  # header and the four orders' lines
    fits(page, width, "statement")
    inner, outer = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
    if width == 375:
        assert inner > outer  # the eleven columns are wider than a phone: they scroll inside the wrapper
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"  # the finance layout too
    else:
        assert inner == outer


@pytest.mark.parametrize("width", [375, 1280])
def test_the_product_page_fits_a_phone_and_a_desktop(live_server, settings, browser, width):
    viewport = {"width": width, "height": 900}
    context = browser.new_context(java_script_enabled=False, locale="zh-CN", viewport=viewport)
    # Saleor's thumbnails are not served here: blocked, so no page waits on them.
    context.route(re.compile(r"^http://127\.0\.0\.1:8000/"), lambda route: route.abort())
    page = context.new_page()
    with recorded_shop(settings) as saleor:
        saleor.play("StorefrontProduct.museum")
        page.goto(f"{live_server.url}/products/{MUSEUM['slug']}/")
    assert page.locator("h1").inner_text() == MUSEUM["name"]
    fits(page, width, "product")
