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
from urllib.parse import unquote, urlencode, urlsplit

import pytest
from django.contrib.auth.models import Permission

from accounts.models import AccessEvent
from saleor_app.signatures import forget_cached_keys
from tests.factories import APP_ID, SaleorInstallationFactory
from tests.office.test_saleor_dashboard import API, SESSION, claims
from tests.unit_onboarding.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "office"  # gitignored

# What the real Saleor Dashboard (saleor/saleor-dashboard `main`, 3.23.27) does with an APP_PAGE extension, as
# checked in chromium against that Dashboard and a live Saleor 3.24 (paths under src/extensions/):
# - urls.ts `resolveAppIframeUrl`: the frame URL is urlJoin(url, "?domain=…&saleorApiUrl=…&id=…&theme=…");
#   url-join drops the slash before "?" (Django's APPEND_SLASH redirects back to it);
# - views/ViewManifestExtension/components/AppFrame/AppIFrame.tsx: the frame's sandbox is
#   "allow-same-origin allow-forms allow-scripts allow-downloads allow-popups";
# - .../AppFrame/AppFrame.tsx `handleLoad`: on every load of the frame it posts
#   DashboardEventFactory.createHandshakeEvent(appToken, 1, {core, dashboard}) to the app's origin, i.e.
#   {type: "handshake", payload: {token, version: 1, saleorVersion: "3.24.0-a.0",
#   dashboardVersion: "v3.23.27"}};
# - .../AppFrame/useAppActions.ts and appActionsHandler.ts `useNotifyReadyAction`: a message from the app's
#   origin with `type` and `payload.actionId`; `notifyReady` is answered with the same handshake again, then
#   {type: "response", payload: {actionId, ok: true}}. So the page gets the handshake twice.
DASHBOARD_PAGE = """<!doctype html><meta charset="utf-8"><title>Saleor Dashboard (stand-in)</title>
<h1>Dashboard</h1>
<script>
  var app = {target};
  function post(message) {{ document.getElementById("app").contentWindow.postMessage(message, app); }}
  function handshake() {{
    post({{type: "handshake", payload: {{token: {token}, version: 1, saleorVersion: "3.24.0-a.0",
      dashboardVersion: "v3.23.27"}}}});
  }}
  window.addEventListener("message", function (event) {{
    if (event.origin !== app) return;
    var data = event.data || {{}};
    if (!data.type || !data.payload || !data.payload.actionId) return;
    if (data.type === "notifyReady") {{
      handshake();
      post({{type: "response", payload: {{actionId: data.payload.actionId, ok: true}}}});
    }}
  }});
</script>
<iframe id="app" src="{src}" width="1000" height="700" onload="handshake()"
  sandbox="allow-same-origin allow-forms allow-scripts allow-downloads allow-popups"></iframe>"""


class StandInDashboard:
    """Serves one HTML page on its own port: its own origin, on the same site as the live server (across
    sites the browser withholds this service's cookies in the frame: SALEOR_DASHBOARD_ORIGINS)."""

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
    context = urlencode({"domain": "127.0.0.1:8000", "saleorApiUrl": API, "id": "QXBwOjE=", "theme": "light"})
    html = DASHBOARD_PAGE.format(
        src=f"{live_server.url}/office/saleor-dashboard/listing-review?{context}",  # as url-join makes it
        token=json.dumps(token),
        target=json.dumps(live_server.url),
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
        sign_ins = []
        page.on("request", lambda r: sign_ins.append(r.method) if r.url.endswith(SESSION) else None)
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
    # the Dashboard handed the token twice (frame loaded, and in answer to notifyReady): one sign-in was sent
    assert sign_ins == ["POST"]
    logins = AccessEvent.objects.filter(action=AccessEvent.Action.LOGIN_SALEOR_DASHBOARD, user=curator)
    assert logins.count() == 1


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
    assert urlsplit(landed).path == "/office/saleor-dashboard/listing-review/", landed
