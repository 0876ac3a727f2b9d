"""Token delivery at installation: only from allowed Saleors, encrypted at rest, proven before use."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import respx
from django.db import connection
from django.utils import timezone

from saleor_app import services
from saleor_app.models import SaleorInstallation
from saleor_app.tasks import confirm_installation

pytestmark = pytest.mark.django_db(transaction=True)

API_URL = "http://127.0.0.1:8000/graphql/"
TOKEN = "abcdefghijklmnopqrstuvwxyz0123"


def app_self(identifier="cn.wenchuang.marketplace", app_id="QXBwOjE="):
    return httpx.Response(200, json={"data": {"app": {"id": app_id, "identifier": identifier}}})


def register(client, *, api_url=API_URL, body=None):
    headers = {"Saleor-Api-Url": api_url, "Saleor-Domain": "127.0.0.1:8000"} if api_url else {}
    return client.post(
        "/saleor/register",
        data=body or {"auth_token": TOKEN},
        content_type="application/json",
        headers=headers,
    )


@respx.mock
def test_a_token_from_an_allowed_saleor_is_stored_encrypted_and_confirmed():
    route = respx.post(API_URL).mock(return_value=app_self())
    from django.test import Client

    response = register(Client())

    assert response.status_code == 200
    installation = SaleorInstallation.objects.get()
    assert installation.app_id == "QXBwOjE="
    assert installation.token == TOKEN
    assert installation.pending_token_encrypted == ""
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {TOKEN}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT token_encrypted FROM saleor_app_saleorinstallation")
        (stored,) = cursor.fetchone()
    assert TOKEN not in stored


@pytest.mark.parametrize(
    ("api_url", "body", "status"),
    [
        pytest.param("http://evil.example/graphql/", None, 403, id="not-allowed"),
        pytest.param("", None, 400, id="no-api-url"),
        pytest.param(API_URL, {"token": "x"}, 400, id="no-auth-token"),
        pytest.param(API_URL, {"auth_token": "  "}, 400, id="blank-token"),
    ],
)
def test_bad_registrations_are_refused_and_store_nothing(client, api_url, body, status):
    response = register(client, api_url=api_url, body=body)

    assert response.status_code == status
    assert response.json()["error"]["message"]
    assert SaleorInstallation.objects.count() == 0


def test_a_body_that_is_not_json_is_refused(client):
    response = client.post(
        "/saleor/register", data=b"{", content_type="application/json", headers={"Saleor-Api-Url": API_URL}
    )

    assert response.status_code == 400
    assert SaleorInstallation.objects.count() == 0


@respx.mock
def test_a_forged_token_never_replaces_the_working_one(settings):
    respx.post(API_URL).mock(return_value=app_self())
    installation = services.installation_register(api_url=API_URL, domain="d", token=TOKEN)
    assert services.installation_confirm(installation_id=installation.pk).confirmed
    respx.post(API_URL).mock(return_value=httpx.Response(401, json={"errors": [{"message": "bad token"}]}))

    services.installation_register(api_url=API_URL, domain="d", token="forged-token-forged-token-0000")
    result = services.installation_confirm(installation_id=installation.pk)

    installation.refresh_from_db()
    assert not result.confirmed
    assert installation.token == TOKEN
    assert "401" in installation.last_error


@respx.mock
def test_a_token_of_another_app_is_not_confirmed():
    respx.post(API_URL).mock(return_value=app_self(identifier="com.other.app"))
    installation = services.installation_register(api_url=API_URL, domain="d", token=TOKEN)

    result = services.installation_confirm(installation_id=installation.pk)

    assert not result.confirmed
    assert "com.other.app" in result.error


@respx.mock
def test_confirmation_retries_and_leaves_a_young_token_pending():
    respx.post(API_URL).mock(return_value=httpx.Response(401, json={"errors": [{"message": "no"}]}))
    installation = services.installation_register(api_url=API_URL, domain="d", token=TOKEN)

    confirm_installation.delay(installation.pk)  # eager: the retries run inline

    installation.refresh_from_db()
    assert installation.pending_token == TOKEN  # Saleor may still be committing the installation
    assert respx.calls.call_count == 7  # first try and six retries


@respx.mock
def test_a_token_that_never_works_is_discarded_once_stale():
    respx.post(API_URL).mock(return_value=httpx.Response(401, json={"errors": [{"message": "no"}]}))
    installation = services.installation_register(api_url=API_URL, domain="d", token=TOKEN)
    SaleorInstallation.objects.filter(pk=installation.pk).update(
        pending_since=timezone.now() - services.PENDING_TOKEN_TTL - timedelta(seconds=1)
    )

    confirm_installation.delay(installation.pk)

    installation.refresh_from_db()
    assert installation.pending_token_encrypted == ""
    assert "discarded" in installation.last_error
