"""Stripe's processing fee in front of localstripe, at the HTTP edge.

localstripe books every charge's balance transaction with fee 0 (localstripe/resources.py,
BalanceTransaction.__init__), so a fee could never be tested against it. This proxy forwards every
request to localstripe unchanged and, in its answers, gives each charge's balance transaction the fee
Stripe would keep (2.9% + 0.30, rounded half up) with `net = amount - fee`; refunds keep fee 0 (Stripe
does not return its fee on refunds). Nothing else is altered.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from tests.payments.gateway.conftest import STRIPE_SECRET_KEY

FORWARDED = ("Authorization", "Content-Type", "Idempotency-Key", "Stripe-Version", "Stripe-Account")


def stripe_fee(amount: int) -> int:
    """The fee on a charge of `amount` minor units: 2.9% (half up) plus 30."""
    return (amount * 29 + 500) // 1000 + 30


def with_fees(value: Any) -> Any:
    """Every charge balance transaction inside `value` with Stripe's fee, wherever it is nested."""
    if isinstance(value, list):
        return [with_fees(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: with_fees(v) for k, v in value.items()}
    if out.get("object") == "balance_transaction" and out.get("type") == "charge":
        fee = stripe_fee(out["amount"])
        out["fee"], out["net"] = fee, out["amount"] - fee
        out["fee_details"] = [{"amount": fee, "currency": out["currency"], "type": "stripe_fee"}]
    return out


def _handler(upstream: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {h: self.headers[h] for h in FORWARDED if self.headers.get(h)}
            answer = requests.request(
                self.command, f"{upstream}{self.path}", data=body, headers=headers, timeout=10
            )
            data = answer.content
            if answer.headers.get("Content-Type", "").startswith("application/json"):
                data = json.dumps(with_fees(answer.json())).encode()
            self.send_response(answer.status_code)
            self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _forward

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def stripe_with_fees(settings, localstripe_url):
    """The gateway and reconciliation talk to Stripe through the fee proxy (the buyer's side stays direct)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(localstripe_url))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STRIPE_SECRET_KEY = STRIPE_SECRET_KEY
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    yield settings.STRIPE_API_BASE
    server.shutdown()
    server.server_close()
