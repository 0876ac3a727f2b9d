"""The manifest asks Saleor for the payment sync webhooks (their queries are validated with all others
in tests/saleor_app/test_operations_schema.py)."""

from __future__ import annotations

from saleor_app.manifest import build_manifest

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

    webhooks = {
        w["name"]: w
        for w in build_manifest()["webhooks"]
        if "syncEvents" in w and "/payments/gateway/" in w["targetUrl"]
    }

    assert {e for w in webhooks.values() for e in w["syncEvents"]} == EXPECTED
    init = webhooks["transaction-initialize-session"]
    assert init["targetUrl"] == "http://127.0.0.1:8092/payments/gateway/saleor/transaction-initialize-session"
    assert "asyncEvents" not in init
    assert all("issuedAt" in w["query"] for w in webhooks.values())
