"""Machine endpoints: Saleor's and Stripe's calls skip the browser's middleware, nothing else does."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.test import Client
from django.urls import path
from django.utils import translation

from core.machine_endpoints import machine_endpoint
from tests.factories import SaleorInstallationFactory
from tests.saleor_app.test_webhook_intake import deliver
from tests.saleor_signing import SaleorSigner
from tests.test_route_sweep import all_routes


@machine_endpoint
def _language(request):
    return JsonResponse({"language": translation.get_language(), "user": hasattr(request, "user")})


@machine_endpoint
def _broken(request):
    raise RuntimeError("a bug in a machine view")


def _browser(request):
    return HttpResponse("page")


urlpatterns = [
    path("machine/language", _language),
    path("machine/broken", _broken),
    path("machine/browser", _browser),
]


def test_the_machine_prefixes_hold_exactly_the_machine_views():
    routes = [("/" + route, pattern.callback) for _name, pattern, route in all_routes()]
    under = {r for r, _ in routes if r.startswith(tuple(settings.MACHINE_ENDPOINT_PREFIXES))}
    marked = {r for r, view in routes if getattr(view, "machine_endpoint", False)}

    assert under == marked
    assert {"/saleor/webhooks/<slug:name>", "/payments/gateway/stripe/webhook"} <= marked
    assert "/payments/gateway/pay" not in marked  # the buyer's payment page keeps sessions and CSRF


@pytest.fixture
def machine_urls(settings):
    settings.ROOT_URLCONF = __name__
    settings.MACHINE_ENDPOINT_PREFIXES = ["/machine/"]
    return Client(raise_request_exception=False)


def test_a_machine_view_runs_in_the_default_language_without_sessions_or_the_page_csp(machine_urls):
    translation.activate("en")  # what the thread's last page left behind
    try:
        response = machine_urls.get("/machine/language", headers={"accept-language": "en"})
    finally:
        translation.deactivate()

    assert response.json() == {"language": settings.LANGUAGE_CODE, "user": False}
    assert "Content-Security-Policy" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware runs first
    assert response.headers["Content-Length"] == str(len(response.content))


def test_an_unmarked_view_under_a_machine_prefix_takes_the_whole_stack(machine_urls):
    response = machine_urls.get("/machine/browser")

    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


def test_a_machine_path_that_resolves_to_nothing_is_the_usual_404(machine_urls):
    response = machine_urls.get("/machine/nothing")

    assert response.status_code == 404
    assert "Content-Security-Policy" in response.headers


def test_a_failing_machine_view_is_a_500_and_logged(machine_urls, caplog):
    response = machine_urls.get("/machine/broken")

    assert response.status_code == 500
    assert "a bug in a machine view" in caplog.text


@pytest.mark.django_db
def test_a_saleor_delivery_is_answered_without_the_page_headers(client):
    signer = SaleorSigner.generate()
    installation = SaleorInstallationFactory(jwks=signer.jwks())
    body = json.dumps({"recipient": {"id": installation.app_id}}).encode()
    signature_of_another_body = signer.sign(body + b" ")

    response = deliver(client, body, signature_of_another_body, api_url=installation.api_url)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "signature_invalid"
    assert "Content-Security-Policy" not in response.headers
    assert not response.cookies
