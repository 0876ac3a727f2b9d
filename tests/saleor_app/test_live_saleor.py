"""Against a live Saleor: install via the manifest, receive a signed event once, refuse a tampered copy."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from saleor_app.client import _http_client
from saleor_app.installer import app_install, installation_status
from saleor_app.manifest import PERMISSIONS
from saleor_app.models import SaleorInstallation, WebhookEvent
from saleor_app.services import event_key
from saleor_app.webhook_specs import ASYNC_WEBHOOKS, SYNC_WEBHOOKS
from tests.live_saleor import WAIT_SECONDS, StaffSession, wait_until
from tests.live_shop import own_product
from tests.recording import GraphQLRecorder, save_delivery
from tests.saleor_signing import tamper

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(saleor_api_url):
    return StaffSession(saleor_api_url)


@pytest.fixture
def installed_app(live_server, settings, staff, saleor_api_url, record_saleor):
    """This service, served by live_server, installed under a fresh identifier; removed afterwards."""
    settings.APP_PUBLIC_URL = live_server.url
    settings.SALEOR_APP_IDENTIFIER = f"cn.wenchuang.test-{uuid.uuid4().hex[:8]}"
    settings.SALEOR_ALLOWED_API_URLS = [saleor_api_url]
    recorder = GraphQLRecorder()
    hooks = _http_client().event_hooks["response"]
    hooks.append(recorder)
    outcome = None
    try:
        outcome = app_install(
            api_url=saleor_api_url, email=staff.email, password=staff.password, timeout=WAIT_SECONDS
        )
        yield outcome
    finally:
        hooks.remove(recorder)
        if record_saleor:
            recorder.save()
        app = staff.app_by_identifier(settings.SALEOR_APP_IDENTIFIER)
        if app:
            staff.delete_app(app["id"])


@pytest.fixture
def product(staff):
    """A product of the test's own (made before the app is installed: its creation is not delivered)."""
    with own_product(staff) as made:
        yield made


def test_install_update_product_receive_once_refuse_tampered(
    product, installed_app, staff, settings, saleor_api_url, client, record_saleor
):
    # The app is in Saleor's apps with the manifest's permissions and webhooks.
    app = staff.app_by_identifier(settings.SALEOR_APP_IDENTIFIER)
    assert app["id"] == installed_app.app_id and app["isActive"]
    assert {p["code"] for p in app["permissions"]} == set(PERMISSIONS)
    specs = {spec.name for spec in (*ASYNC_WEBHOOKS, *SYNC_WEBHOOKS)}
    assert {(w["name"], w["isActive"]) for w in app["webhooks"]} == {(name, True) for name in specs}
    installation = SaleorInstallation.objects.get()
    assert installation_status(installation).token_works

    # Installing again changes nothing.
    again = app_install(api_url=saleor_api_url, email=staff.email, password=staff.password)
    assert again.already_installed and again.app_id == installed_app.app_id

    # A product updated in Saleor arrives, verified, stored exactly once. (The app receives whatever else
    # happens in that Saleor too: only this product's events count.)
    staff.touch_product(product.id, f"live test {uuid.uuid4().hex[:6]}")
    updates = WebhookEvent.objects.filter(event_type="product_updated", payload__product__id=product.id)
    wait_until(f"product_updated of {product.id} stored", updates.exists)
    time.sleep(1)  # any duplicate delivery would have arrived by now
    [event] = updates.all()
    assert event.payload["product"]["id"] == product.id
    assert event.payload["issuedAt"]
    assert isinstance(event.payload["product"]["attributes"], list)  # the subscription's attribute values

    # The same request replayed is a no-op; a tampered copy is refused and stores nothing.
    headers = {
        "Saleor-Event": "product_updated",
        "Saleor-Api-Url": installation.api_url,
        "Saleor-Signature": event.signature,
    }
    url = "/saleor/webhooks/product-changes"
    replayed = client.post(url, data=event.body.encode(), content_type="application/json", headers=headers)
    tampered_body = tamper(event.body.encode())
    tampered = client.post(url, data=tampered_body, content_type="application/json", headers=headers)
    assert replayed.status_code == 200 and replayed.json() == {"stored": False}
    assert tampered.status_code == 401
    assert not WebhookEvent.objects.filter(key=event_key(tampered_body)).exists()
    assert updates.count() == 1

    if record_saleor:
        save_delivery(
            "product_updated",
            {
                "api_url": installation.api_url,
                "event": "product_updated",
                "target": url,
                "body": event.body,
                "signature": event.signature,
                "jwks": httpx.get(installation.jwks_url, timeout=10).json(),
            },
        )
