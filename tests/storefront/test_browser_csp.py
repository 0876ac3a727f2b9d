"""The Content-Security-Policy, as Debian's chromium enforces it: the storefront (recorded scenes), the card
payment on localstripe's Stripe.js, the back office and the Django admin, all with JavaScript on, raise no
`securitypolicyviolation` event and log no error or warning to the console."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client

from tests.catalog.factories import active_unit, make_listing
from tests.storefront.conftest import ARTIFACTS, address_fill, card_fill
from tests.storefront.recorded_shop import LIBRARY, MUSEUM, ORDER, recorded_shop, unit_id_of
from tests.unit_onboarding.factories import ApplicationFactory, OperatingEntityFactory, UserFactory
from tests.unit_onboarding.files import PDF
from unit_onboarding.models import Document, UnitMembership
from unit_onboarding.services import document_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SALEOR_MEDIA = re.compile(r"^http://127\.0\.0\.1:8000/")
# The smallest PNG: what the recorded Saleor thumbnails are answered with (no page waits on Saleor).
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
WATCH = """
document.addEventListener("securitypolicyviolation", (event) => window.cspViolation({
  page: location.pathname, directive: event.effectiveDirective, blocked: event.blockedURI,
  sample: event.sample,
}));
"""


class Watch:
    """What one browser context saw: CSP violations, console errors and warnings, uncaught exceptions."""

    def __init__(self, context) -> None:
        self.violations: list[dict] = []
        self.console: list[str] = []
        context.expose_binding("cspViolation", lambda source, violation: self.violations.append(violation))
        context.add_init_script(WATCH)
        context.route(SALEOR_MEDIA, lambda route: route.fulfill(body=PIXEL, content_type="image/png"))
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console.append(f"{self.page.url}: uncaught {error}"))

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.console.append(f"{self.page.url}: {message.type}: {message.text}")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response.status == 200, f"{url}: {response.status}"
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        self.page.wait_for_load_state("load")

    def clean(self) -> None:
        assert self.violations == []
        assert self.console == []


def signed_in(browser, live_server, user):
    """A browser context holding `user`'s session (made by Django's test client, not the login form)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN")
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context


@pytest.fixture(autouse=True)
def _connections_closed(monkeypatch, browser):
    # The live server's request threads must close their connections, and so must the ORM calls made while
    # Playwright's loop runs (they have a connection of their own), or the test database cannot be dropped.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    yield
    connections.close_all()


@pytest.fixture
def shop(live_server, settings):
    # As in production, where CSP_IMG_SOURCES defaults to SALEOR_API_URL's origin: Saleor's thumbnails.
    settings.SECURE_CSP = {**settings.SECURE_CSP, "img-src": ["'self'", "http://127.0.0.1:8000"]}
    with recorded_shop(settings) as recorded:
        yield recorded


def test_the_watch_sees_a_violation(live_server, browser, settings):
    watch = Watch(browser.new_context())
    watch.visit(live_server.url + "/onboarding/login/")

    watch.page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "1";
                                    document.body.appendChild(s); }""")
    watch.page.wait_for_timeout(200)

    assert [v["directive"] for v in watch.violations] == ["script-src-elem"]
    assert any("Content Security Policy" in line for line in watch.console)


def test_the_storefront_and_the_card_payment_raise_no_violation(live_server, shop, browser):
    watch = Watch(browser.new_context(locale="zh-CN"))
    page = watch.page
    base = live_server.url

    shop.play("StorefrontHome.home")
    watch.visit(base + "/")
    page.fill("#q", MUSEUM["name"].split()[0])  # this service's own search (its suggestions script too)
    page.press("#q", "Enter")
    page.wait_for_load_state("load")
    shop.play("StorefrontProducts.unit")
    watch.visit(f"{base}/units/{unit_id_of(MUSEUM)}/")
    shop.play("StorefrontProduct.museum")
    watch.visit(f"{base}/products/{MUSEUM['slug']}/")
    shop.play("StorefrontCheckoutCreate", "StorefrontCheckout.cart")
    page.click("form.add button[type=submit]")
    shop.play("StorefrontProduct.library")
    watch.visit(f"{base}/products/{LIBRARY['slug']}/")
    shop.play("StorefrontCheckoutLinesAdd", "StorefrontCheckout.cart")
    page.click("form.add button[type=submit]")
    assert page.url.endswith("/cart/")
    page.click("text=去结算")
    address_fill(page)
    shop.play("StorefrontCheckoutContact", "StorefrontCheckout.address")
    page.click("text=保存地址")
    shop.play("StorefrontCheckoutDelivery.address", "StorefrontCheckout.ready")
    page.click("text=继续付款")
    assert page.url.endswith("/checkout/pay/")

    page.click("#pay")  # the payment page: localstripe's Stripe.js and its Card Element
    assert "/payments/gateway/pay?checkout=" in page.url
    card_fill(page)
    page.screenshot(path=str(ARTIFACTS / "csp-card.png"), full_page=True)
    shop.play("StorefrontOrder")
    page.click("#pay")
    page.wait_for_url(re.compile(r"/orders/[^/]+/$"), timeout=60_000)
    assert page.locator("h1").inner_text().endswith(str(ORDER["number"]))
    for path in ("/account/login/", "/account/register/", "/en/"):
        shop.play("StorefrontHome.home")
        watch.visit(base + path)

    watch.clean()


def test_the_back_office_and_the_admin_raise_no_violation(live_server, browser):
    admin = UserFactory(is_staff=True, is_superuser=True)
    unit = active_unit("三峡博物馆")
    for role in UnitMembership.Role.values:
        UnitMembership.objects.create(user=admin, unit=unit, role=role)
    listing = make_listing(unit, admin, images=1)
    application = ApplicationFactory(applicant=admin, unit=OperatingEntityFactory().unit)
    upload = SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf")
    document_add(application=application, kind=Document.Kind.BUSINESS_LICENCE, upload=upload, actor=admin)
    anonymous = Watch(browser.new_context(locale="zh-CN"))
    for path in ("/onboarding/login/", "/onboarding/signup/", "/admin/login/"):
        anonymous.visit(live_server.url + path)
    anonymous.clean()

    context = signed_in(browser, live_server, admin)
    context.route(re.compile(r"^https://cdn\.jsdelivr\.net/"), lambda route: route.abort())
    watch = Watch(context)
    pages = [
        f"/office/units/{unit.uid}/",
        "/onboarding/",
        f"/onboarding/applications/{application.pk}/",
        "/onboarding/review/",
        f"/onboarding/units/{unit.uid}/",
        f"/onboarding/units/{unit.uid}/profile/",
        f"/onboarding/units/{unit.uid}/members/",
        f"/onboarding/units/{unit.uid}/agreement/",
        f"/onboarding/units/{unit.uid}/payout/",
        f"/onboarding/units/{unit.uid}/designers/",
        "/catalog/",
        "/catalog/review/",
        f"/catalog/units/{unit.uid}/listings/",
        f"/catalog/units/{unit.uid}/listings/new/",
        f"/catalog/listings/{listing.uid}/",
        f"/catalog/listings/{listing.uid}/edit/",
        f"/orders/units/{unit.uid}/orders/",
        "/finance/",
        "/finance/batches/",
        "/finance/periods/",
        "/finance/statistics/",
        "/finance/audit/",
        "/admin/",
        "/admin/unit_onboarding/unit/",
        f"/admin/unit_onboarding/unit/{unit.pk}/change/",
    ]
    for path in pages:
        watch.visit(live_server.url + path)
        if path == f"/catalog/listings/{listing.uid}/":
            watch.page.screenshot(path=str(ARTIFACTS / "csp-back-office-listing.png"), full_page=True)
    watch.visit(f"{live_server.url}/onboarding/units/{unit.uid}/")
    with watch.page.expect_navigation():
        watch.page.select_option("select[name=language]", "en")  # the language menu's script submits it
    assert watch.page.locator("html").get_attribute("lang") == "en"
    watch.clean()

    # GraphiQL loads React from jsDelivr (unreachable here: it errs), its inline script runs: no violation.
    context = signed_in(browser, live_server, admin)
    context.route(re.compile(r"^https://cdn\.jsdelivr\.net/"), lambda route: route.abort())
    graphiql = Watch(context)
    graphiql.page.goto(live_server.url + "/finance/graphql", wait_until="load")
    assert graphiql.violations == []
