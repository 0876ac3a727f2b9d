"""The manifest asks Saleor for the payment sync webhooks, with valid subscription queries."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from saleor_app.manifest import build_manifest
from saleor_app.operations import operation, subscription
from saleor_app.webhook_specs import SYNC_WEBHOOKS
from tests.conftest import SHARED_SALEOR

SCHEMA = Path(SHARED_SALEOR) / "schema.graphql"

EXPECTED = {
    "PAYMENT_GATEWAY_INITIALIZE_SESSION",
    "TRANSACTION_INITIALIZE_SESSION",
    "TRANSACTION_PROCESS_SESSION",
    "TRANSACTION_CHARGE_REQUESTED",
    "TRANSACTION_REFUND_REQUESTED",
    "TRANSACTION_CANCELATION_REQUESTED",
}


def test_manifest_lists_every_payment_sync_webhook_with_its_target(settings):
    settings.APP_PUBLIC_URL = "http://127.0.0.1:8092"

    webhooks = {w["name"]: w for w in build_manifest()["webhooks"] if "syncEvents" in w}

    assert {e for w in webhooks.values() for e in w["syncEvents"]} == EXPECTED
    init = webhooks["transaction-initialize-session"]
    assert init["targetUrl"] == "http://127.0.0.1:8092/payments/gateway/saleor/transaction-initialize-session"
    assert "asyncEvents" not in init
    assert all("issuedAt" in w["query"] for w in webhooks.values())


@pytest.fixture(scope="module")
def saleor_schema():
    if not SCHEMA.is_file():
        pytest.skip(f"Saleor's schema is not at {SCHEMA} (shared folder absent)")
    return build_schema(SCHEMA.read_text())


@pytest.mark.parametrize("spec", SYNC_WEBHOOKS, ids=lambda s: s.name)
def test_payment_subscriptions_are_valid_against_saleors_schema(saleor_schema, spec):
    assert validate(saleor_schema, parse(subscription(spec.subscription))) == []


@pytest.mark.parametrize(
    "name",
    [
        "TransactionEventReport",
        "PaymentCheckout",
        "PaymentTransactionInitialize",
        "PaymentTransactionProcess",
        "PaymentCheckoutComplete",
    ],
)
def test_payment_operations_are_valid_against_saleors_schema(saleor_schema, name):
    assert validate(saleor_schema, parse(operation(name))) == []
