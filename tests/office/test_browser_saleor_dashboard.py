"""In chromium: a page standing in for the Saleor Dashboard (its own origin) frames an extension's page and
hands it a token by AppBridge's handshake message, as the Dashboard does; the frame signs the staff user in
and opens the listing review queue. A message from an origin that is not a configured Dashboard is ignored.
(Shots in tests/artifacts/office.)"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import Permission

from saleor_app.signatures import forget_cached_keys
from tests.factories import APP_ID, SaleorInstallationFactory
from tests.office.test_saleor_dashboard import API, claims
from tests.unit_onboarding.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "office"  # gitignored

DASHBOARD_PAGE = """<!doctype html><meta charset="utf-8"><title>Saleor Dashboard (stand-in)</title>
<h1>Dashboard</h1><iframe id="app" src="{src}" width="1000" height="700"></iframe>
<script>
  var frame = document.getElementById("app");
  window.addEventListener("message", function (event) {{
    if (event.data && event.data.type === "notifyReady") {{
      var handshake = {{type: "handshake", payload: {{token: {token}, version: 1}}}};
      frame.contentWindow.postMessage(handshake, "{target}");
    }}
  }});
</script>"""


class StandInDashboard:
    """Serves one HTML page on its own port: its own origin, on the same site as the live server (a deployment
    with the Dashboard on another site needs HTTPS and SameSite=None cookies: .env.example says so)."""

    def __init__(self, html: str) -> None:
        body = html.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # localhost, as the live server: one site (the session cookie is sent inside the frame), two origins
        self.url = f"http://localhost:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def curator(signer):
    forget_cached_keys()
    SaleorInstallationFactory(api_url=API, app_id=APP_ID, jwks=signer.jwks())
    user = UserFactory(email="curator@example.cn")
    user.user_permissions.add(Permission.objects.get(codename="review_listing"))
    yield user
    forget_cached_keys()


def _dashboard(live_server, signer, settings, *, trusted: bool):
    token = signer.token(claims(email="curator@example.cn", exp=int(time.time()) + 300))
    html = DASHBOARD_PAGE.format(
        src=f"{live_server.url}/office/saleor-dashboard/listing-review/",
        token=json.dumps(token),
        target=live_server.url,
    )
    dashboard = StandInDashboard(html)
    settings.SALEOR_DASHBOARD_ORIGINS = [dashboard.url] if trusted else ["http://127.0.0.1:1"]
    settings.SECURE_CSP = {**settings.SECURE_CSP, "frame-ancestors": ["'self'", dashboard.url]}
    return dashboard


def test_the_dashboards_handshake_signs_the_staff_user_in_inside_the_frame(
    browser, live_server, signer, settings, curator
):
    dashboard = _dashboard(live_server, signer, settings, trusted=True)
    try:
        page = browser.new_context(locale="zh-CN").new_page()
        page.goto(dashboard.url)
        frame = page.frame_locator("#app")
        frame.locator("h1").first.wait_for()
        for _ in range(100):
            if "/catalog/review/" in page.frames[1].url or "/security/" in page.frames[1].url:
                break
            page.wait_for_timeout(100)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "saleor-dashboard-frame.png"))
        landed = page.frames[1].url
    finally:
        dashboard.close()
    # signed in as the curator, who is first asked to set up this account's second factor, then the queue
    assert "/security/two-factor/" in landed and "next=/catalog/review/" in unquote(landed), landed


def test_a_handshake_from_an_origin_that_is_not_a_configured_dashboard_is_ignored(
    browser, live_server, signer, settings, curator
):
    dashboard = _dashboard(live_server, signer, settings, trusted=False)
    try:
        page = browser.new_context(locale="zh-CN").new_page()
        page.goto(dashboard.url)
        page.frame_locator("#app").locator("#appbridge-waiting").wait_for()
        page.wait_for_timeout(1500)  # the handshake has been sent by now
        landed = page.frames[1].url
    finally:
        dashboard.close()
    assert landed.endswith("/office/saleor-dashboard/listing-review/")
