"""In chromium, against a live Saleor and the real Saleor Dashboard (SALEOR_DASHBOARD_URL, a build of
saleor/saleor-dashboard pointed at SALEOR_API_URL): staff sign in to the Dashboard, open the app's listing
review entry in the Catalog menu, the app's page inside the Dashboard's frame signs them in here by the
Dashboard's token, asks this account's second factor, and shows the queue. (Shots in tests/artifacts/office.)

The Dashboard must be on the same site as this service for the session cookie inside its frame: run with
`--liveserver 127.0.0.1` when the Dashboard is served on 127.0.0.1 (README, "The Saleor Dashboard")."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from accounts.models import AccessEvent
from tests.auth import browser_second_factor, verified_device
from tests.saleor_app.test_live_saleor import installed_app, staff  # noqa: F401 (live fixtures, shared)
from tests.unit_onboarding.factories import UserFactory

DASHBOARD_URL = os.environ.get("SALEOR_DASHBOARD_URL", "").rstrip("/")
pytestmark = [
    pytest.mark.saleor_live,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not DASHBOARD_URL,
        reason="needs the real Saleor Dashboard: set SALEOR_DASHBOARD_URL (README, Saleor Dashboard)",
    ),
]
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "office"  # gitignored
SESSION = "/office/saleor-dashboard/session"
APP = "query($id: ID!) { app(id: $id) { extensions { id identifier } } }"


@pytest.fixture
def dashboard(live_server, settings):
    url = DASHBOARD_URL
    # a Dashboard given on another host cannot frame this service signed in: a setup error, not a skip
    assert urlsplit(url).hostname == urlsplit(live_server.url).hostname, (
        f"the Dashboard ({url}) and live server ({live_server.url}) need one host: run with --liveserver"
    )
    origin = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    settings.SALEOR_DASHBOARD_ORIGINS = [origin]
    settings.SECURE_CSP = {**settings.SECURE_CSP, "frame-ancestors": ["'self'", origin]}
    return url


def test_the_real_dashboard_opens_the_listing_review_queue_signed_in(
    browser,
    live_server,
    dashboard,
    installed_app,  # noqa: F811
    staff,  # noqa: F811
):
    curator = UserFactory(email=staff.email)  # this service's account of the Dashboard's staff user
    curator.user_permissions.add(Permission.objects.get(codename="review_listing"))
    verified_device(curator)
    extensions = staff.gql(APP, {"id": installed_app.app_id})["app"]["extensions"]
    [listing_review] = [e["id"] for e in extensions if e["identifier"] == "listing-review"]
    page = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000}).new_page()
    sign_ins = []
    page.on("request", lambda r: sign_ins.append(r.method) if r.url.endswith(SESSION) else None)

    page.goto(dashboard)
    page.locator('input[name="email"]').fill(staff.email)
    page.locator('input[name="password"]').fill(staff.password)
    for _ in range(10):  # Saleor delays a sign-in from an address for a second after the last (fixtures')
        time.sleep(1.5)
        page.locator('[data-test-id="submit"]').click()
        try:
            page.locator('[data-test-id="menu-list"]').wait_for(timeout=15_000)
            break
        except PlaywrightTimeout:  # the Dashboard shows Saleor's refusal: sign in again
            continue
    announcement = page.locator('[data-test-id="ripple-video-announcement-dismiss"]')
    if announcement.count():
        announcement.first.click()  # the Dashboard's own announcement covers the menu
    entry = page.locator(f'[data-test-id="menu-item-label-extension-{listing_review}"]')
    if not entry.is_visible():
        page.locator('[data-test-id="menu-item-label-products"]').first.click()  # the Catalog menu
    entry.click()

    def frame():
        return next((f for f in page.frames if f.url.startswith(live_server.url)), None)

    for _ in range(240):  # the frame loads the extension's page, which sends the token and is replaced
        found = frame()
        if found and "/saleor-dashboard/" not in found.url:
            break
        page.wait_for_timeout(250)
    if "/security/two-factor/verify/" in found.url:  # this account's second factor, asked inside the frame
        browser_second_factor(found, curator)
    found.wait_for_url(re.compile(r"/catalog/review/$"), timeout=60_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "real-saleor-dashboard-listing-review.png"))
    found = frame()
    assert found and urlsplit(found.url).path == "/catalog/review/", found and found.url
    assert found.locator("h1").first.inner_text() == "待审核商品"
    assert sign_ins == ["POST"]  # the Dashboard handed the token twice: one sign-in
    logins = AccessEvent.objects.filter(action=AccessEvent.Action.LOGIN_SALEOR_DASHBOARD, user=curator)
    assert logins.count() == 1
