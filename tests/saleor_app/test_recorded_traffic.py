"""Replays of real Saleor traffic (recorded from a live Saleor 3.24 with --record-saleor)."""

from __future__ import annotations

from io import StringIO

import httpx
import pytest
import respx
from django.core.management import call_command

from saleor_app import services
from saleor_app.installer import InstallError, app_install
from saleor_app.models import SaleorInstallation, WebhookEvent
from tests.factories import SaleorInstallationFactory
from tests.recording import delivered, load_delivery, load_exchange, replay
from tests.saleor_signing import tamper

pytestmark = pytest.mark.django_db(transaction=True)
DELIVERY = load_delivery("product_updated")
RECORDED_APP = load_exchange("AppSelf")["response"]["data"]["app"]


RECORDED_HOOKS = load_exchange("AppWebhooks")["response"]["data"]["app"]["webhooks"]


@pytest.fixture
def installation(settings):
    settings.SALEOR_APP_IDENTIFIER = RECORDED_APP["identifier"]
    # The recorded webhooks point at the service that was installed (pytest's live server)
    origin = httpx.URL(RECORDED_HOOKS[0]["targetUrl"])
    settings.APP_PUBLIC_URL = f"{origin.scheme}://{origin.netloc.decode()}"
    return SaleorInstallationFactory(api_url=DELIVERY["api_url"], app_id=DELIVERY["app_id"])


@pytest.fixture
def saleor(installation):
    with respx.mock(assert_all_called=False) as mock:
        mock.get(installation.jwks_url).mock(return_value=httpx.Response(200, json=DELIVERY["jwks"]))
        yield mock


def test_a_real_saleor_delivery_verifies_and_is_stored(client, saleor):
    response = delivered(client, DELIVERY)

    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.body == DELIVERY["body"]
    assert event.payload["product"]["name"]


def test_a_tampered_copy_of_a_real_delivery_is_refused(client, saleor):
    response = delivered(client, DELIVERY, tamper(DELIVERY["body"].encode()))

    assert response.status_code == 401
    assert WebhookEvent.objects.count() == 0


def test_status_reports_the_installation_from_saleor(installation, saleor):
    replay(saleor, installation.api_url, "AppSelf", "AppWebhooks")
    out = StringIO()

    call_command("saleor_status", stdout=out, no_color=True)

    text = out.getvalue()
    assert "Manifest:     webhooks match" in text  # Saleor's webhooks, compared with this release's manifest
    assert "Token works:  yes" in text
    assert f"App id:       {RECORDED_APP['id']}" in text
    assert "Webhook:      product-changes [active]" in text
    assert "PRODUCT_UPDATED" in text


def test_status_says_when_the_token_is_refused(installation, saleor):
    saleor.post(installation.api_url).mock(return_value=httpx.Response(401))
    out = StringIO()

    call_command("saleor_status", stdout=out, no_color=True)

    assert "Token works:  no (SaleorAuthError" in out.getvalue()


def test_install_again_reports_already_installed_and_changes_nothing(installation, saleor):
    route = replay(saleor, installation.api_url, "TokenCreate", "AppsSearch", "AppWebhooks")
    before = list(SaleorInstallation.objects.values())
    out = StringIO()

    call_command(
        "saleor_install", api_url=installation.api_url, email="admin@example.com", password="x", stdout=out
    )

    assert "Already installed" in out.getvalue() and "nothing changed" in out.getvalue()
    assert list(SaleorInstallation.objects.values()) == before
    # logged in, found the app, compared its webhooks with the manifest: no install, no webhook written
    assert [c.request.read().count(b"mutation") for c in route.calls] == [1, 0, 0]


def test_install_refuses_when_saleor_has_the_app_but_this_service_lost_its_token(installation, saleor):
    SaleorInstallation.objects.update(token_encrypted="")
    replay(saleor, installation.api_url, "TokenCreate", "AppsSearch")

    with pytest.raises(InstallError, match="holds no token"):
        app_install(api_url=installation.api_url, email="admin@example.com", password="x")


def test_recorded_app_self_confirms_a_pending_token(installation, saleor):
    replay(saleor, installation.api_url, "AppSelf")
    services.installation_register(api_url=installation.api_url, domain="d", token="n" * 30)

    result = services.installation_confirm(installation_id=installation.pk)

    assert result.confirmed and result.app_id == RECORDED_APP["id"]
