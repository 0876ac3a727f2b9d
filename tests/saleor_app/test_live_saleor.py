"""Against a live Saleor: install via the manifest, receive a signed event once, refuse a tampered copy."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from saleor_app.installer import app_install, installation_status
from saleor_app.manifest import PERMISSIONS
from saleor_app.models import SaleorInstallation, WebhookEvent
from saleor_app.services import event_key
from saleor_app.webhook_specs import ASYNC_WEBHOOKS, SHIPPING_WEBHOOKS, SYNC_WEBHOOKS
from tests.live_saleor import WAIT_SECONDS, StaffSession, wait_until
from tests.live_shop import own_product
from tests.recording import GraphQLRecorder, listening, save_delivery
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
    try:
        with listening(recorder):
            yield app_install(
                api_url=saleor_api_url, email=staff.email, password=staff.password, timeout=WAIT_SECONDS
            )
    finally:
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
    specs = {spec.name for spec in (*ASYNC_WEBHOOKS, *SYNC_WEBHOOKS, *SHIPPING_WEBHOOKS)}
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
    assert event.payload["recipient"] == {"id": installed_app.app_id}  # Saleor names this app as recipient
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
                "app_id": installation.app_id,  # the delivery's recipient
                "event": "product_updated",
                "target": url,
                "body": event.body,
                "signature": event.signature,
                "jwks": httpx.get(installation.jwks_url, timeout=10).json(),
            },
        )


def test_another_apps_webhook_pointed_here_is_refused_and_stores_nothing(
    product, installed_app, staff, settings, live_server, caplog
):
    """A second app in the same Saleor (any app can create its own webhooks) aims product events at this
    service: Saleor signs them with the one key it signs ours with, so only the recipient tells them apart."""
    other = staff.gql(
        "mutation($name: String!) { appCreate(input: {name: $name, permissions: [MANAGE_PRODUCTS]})"
        " { app { id } errors { message } } }",
        {"name": f"other-{uuid.uuid4().hex[:6]}"},
    )["appCreate"]["app"]
    target = f"{live_server.url}/saleor/webhooks/product-changes"
    updated = "... on ProductUpdated { product { id } }"
    queries = {  # its own id as recipient, and a query that names no recipient at all
        "named": f"subscription {{ event {{ issuedAt recipient {{ id }} {updated} }} }}",
        "unnamed": f"subscription {{ event {{ issuedAt {updated} }} }}",
    }
    try:
        for name, query in queries.items():
            created = staff.gql(
                "mutation($input: WebhookCreateInput!)"
                " { webhookCreate(input: $input) { errors { message } } }",
                {
                    "input": {
                        "name": name,
                        "app": other["id"],
                        "targetUrl": target,
                        "asyncEvents": ["PRODUCT_UPDATED"],
                        "query": query,
                        "isActive": True,
                    }
                },
            )
            assert created["webhookCreate"]["errors"] == []
        staff.touch_product(product.id, f"other app {uuid.uuid4().hex[:6]}")

        # ours arrives (and is stored); the other app's two deliveries reach this service but are refused
        mine = WebhookEvent.objects.filter(event_type="product_updated", payload__product__id=product.id)
        wait_until(f"product_updated of {product.id} stored", mine.exists)
        wait_until(
            "the other app's deliveries refused",
            lambda: "is for app" in caplog.text and "names no recipient" in caplog.text,
        )
        time.sleep(1)  # any delivery wrongly stored would have arrived by now
        stored = list(mine.values_list("payload", flat=True))
        assert [p["recipient"]["id"] for p in stored] == [installed_app.app_id]
        assert f"the delivery is for app {other['id']!r}" in caplog.text
    finally:
        staff.delete_app(other["id"])
