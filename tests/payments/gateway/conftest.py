"""Stripe gateway fixtures: a real localstripe server over HTTP, Saleor doubled at its HTTP edge."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import jsonschema
import pytest
import requests
import respx

from tests.conftest import shared_saleor_file
from tests.factories import SaleorInstallationFactory
from tests.localstripe_server import (
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    localstripe_running,
    stripe_test_settings,
)


@pytest.fixture(scope="session")
def localstripe_url():
    """localstripe (PyPI) as a subprocess on a free port, fresh for the session."""
    with localstripe_running() as url:
        yield url


@pytest.fixture(autouse=True)
def stripe_settings(settings, localstripe_url):
    stripe_test_settings(settings, localstripe_url)
    settings.STRIPE_MAX_NETWORK_RETRIES = 2
    settings.STRIPE_TIMEOUT = 5.0
    settings.STRIPE_DEFAULT_PAYMENT_METHODS = ["card"]
    settings.STRIPE_CHANNEL_PAYMENT_METHODS = "museum-cny=card|alipay|wechat_pay; library=card|alipay"
    return settings


class LocalStripe:
    """Direct calls to localstripe, playing the buyer's browser (Stripe.js) and Stripe's dashboard."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _call(self, method: str, path: str, data: dict | None = None) -> dict:
        response = requests.request(
            method, f"{self.url}/v1/{path}", auth=(STRIPE_SECRET_KEY, ""), data=data, timeout=10
        )
        assert response.status_code < 300, response.text
        return response.json()

    def get(self, path: str) -> dict:
        return self._call("GET", path)

    def pay(self, payment_intent_id: str, card: str = "4242424242424242") -> dict:
        """Attach a card and confirm, as Stripe.js does after the buyer submits the Payment Element."""
        pm = self._call(
            "POST",
            "payment_methods",
            {
                "type": "card",
                "card[number]": card,
                "card[exp_month]": "12",
                "card[exp_year]": "2030",
                "card[cvc]": "123",
            },
        )
        self._call("POST", f"payment_intents/{payment_intent_id}", {"payment_method": pm["id"]})
        response = requests.post(
            f"{self.url}/v1/payment_intents/{payment_intent_id}/confirm",
            auth=(STRIPE_SECRET_KEY, ""),
            timeout=10,
        )
        return response.json()

    def refund(self, payment_intent_id: str, amount: int) -> dict:
        return self._call("POST", "refunds", {"payment_intent": payment_intent_id, "amount": str(amount)})


@pytest.fixture
def localstripe(localstripe_url) -> LocalStripe:
    return LocalStripe(localstripe_url)


def stripe_signature(
    body: bytes, *, secret: str = STRIPE_WEBHOOK_SECRET, timestamp: int | None = None
) -> str:
    """Stripe's signing scheme: HMAC-SHA256 over '<t>.<body>' with the endpoint secret."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def stripe_event(event_type: str, obj: dict, *, event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "livemode": False,
            "type": event_type,
            "data": {"object": obj},
        }
    ).encode()


@dataclass
class FakeSaleor:
    """Saleor's GraphQL endpoint for transactionEventReport, deduping by pspReference + type + amount."""

    events: list[dict] = field(default_factory=list)
    calls: list[dict] = field(default_factory=list)
    fail_next: int = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert body["operationName"] == "TransactionEventReport"
        variables = body["variables"]
        self.calls.append(variables)
        if self.fail_next:
            self.fail_next -= 1
            return httpx.Response(500, text="Internal Server Error")
        key = (variables["id"], variables["pspReference"], variables["type"], variables["amount"])
        already = any(e["key"] == key for e in self.events)
        if not already:
            self.events.append({"key": key, "variables": variables})
        return httpx.Response(
            200,
            json={
                "data": {
                    "transactionEventReport": {
                        "alreadyProcessed": already,
                        "transactionEvent": {
                            "id": f"VHJhbnNhY3Rpb25FdmVudDo{len(self.events)}",
                            "type": variables["type"],
                            "pspReference": variables["pspReference"],
                        },
                        "errors": [],
                    }
                }
            },
        )


@pytest.fixture
def installation():
    return SaleorInstallationFactory()


@pytest.fixture
def saleor(signer, installation):
    """JWKS and GraphQL of the test Saleor; other hosts (localstripe) are reached for real."""
    fake = FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.get(installation.jwks_url).mock(return_value=httpx.Response(200, json=signer.jwks()))
        mock.post(installation.api_url).mock(side_effect=fake.handle)
        mock.route(host="127.0.0.1").pass_through()
        yield fake


def schema_validator(name: str):
    """jsonschema validator for Saleor's response schema `name` (tests using it carry `saleor_schema`)."""
    schema = json.loads(Path(shared_saleor_file(f"json_schemas/{name}.json")).read_text())
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
