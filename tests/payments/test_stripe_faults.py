"""Stripe time-outs: the client retries with the same idempotency key and the payment exists once."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from payments.gateway.models import PaymentIntentRecord
from tests.payments.conftest import STRIPE_SECRET_KEY
from tests.payments.saleor_payloads import deliver, session

pytestmark = pytest.mark.django_db


class SlowStripe:
    """A proxy in front of localstripe: applies the first POST, then stalls its answer past the client's
    time-out (the answer is lost, the write is not). Replays by Idempotency-Key as Stripe documents;
    localstripe itself ignores the header."""

    def __init__(self, upstream: str, stall_seconds: float) -> None:
        self.upstream = upstream
        self.stall_seconds = stall_seconds
        self.attempts: list[tuple[str, str, str | None]] = []
        self.replayed: dict[str, tuple[int, bytes]] = {}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                key = self.headers.get("Idempotency-Key")
                proxy.attempts.append((self.command, self.path, key))
                if key and key in proxy.replayed:
                    status, content = proxy.replayed[key]
                else:
                    upstream = requests.request(
                        self.command,
                        proxy.upstream + self.path,
                        data=body,
                        headers={
                            "Authorization": self.headers["Authorization"],
                            "Content-Type": self.headers.get("Content-Type", ""),
                        },
                        timeout=10,
                    )
                    status, content = upstream.status_code, upstream.content
                    if key and self.command == "POST":
                        proxy.replayed[key] = (status, content)
                        if len([a for a in proxy.attempts if a[2] == key]) == 1:
                            time.sleep(proxy.stall_seconds)  # the client has given up by now
                            return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_stripe(settings, localstripe_url):
    proxy = SlowStripe(localstripe_url, stall_seconds=1.5)
    settings.STRIPE_API_BASE = proxy.url
    settings.STRIPE_TIMEOUT = 0.5
    yield proxy
    proxy.close()


def test_a_timed_out_create_is_retried_with_the_same_key_and_makes_one_payment_intent(
    client, signer, saleor, slow_stripe, localstripe_url
):
    payload = session(amount="66.60")

    body = deliver(client, signer, "transaction-initialize-session", payload).json()

    creates = [a for a in slow_stripe.attempts if a[:2] == ("POST", "/v1/payment_intents")]
    assert len(creates) == 2
    assert creates[0][2] == creates[1][2] == PaymentIntentRecord.objects.get().idempotency_key
    assert body["result"] == "CHARGE_ACTION_REQUIRED"
    mine = [
        pi
        for pi in requests.get(
            f"{localstripe_url}/v1/payment_intents?limit=100", auth=(STRIPE_SECRET_KEY, ""), timeout=10
        ).json()["data"]
        if pi["metadata"].get("saleor_transaction_id") == payload["transaction"]["id"]
    ]
    assert [pi["id"] for pi in mine] == [body["pspReference"]]


def test_stripe_unreachable_answers_saleor_with_a_clear_failure(client, signer, saleor, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    settings.STRIPE_MAX_NETWORK_RETRIES = 0

    body = deliver(client, signer, "transaction-initialize-session", session(amount="5.00")).json()

    assert body["result"] == "CHARGE_FAILURE"
    assert body["message"] == "The payment provider is not reachable right now; please try again."


def test_a_refund_while_stripe_is_unreachable_asks_saleor_to_retry(
    client, signer, saleor, settings, localstripe
):
    from tests.payments.saleor_payloads import requested

    payload = session(amount="9.00")
    pi_id = deliver(client, signer, "transaction-initialize-session", payload).json()["pspReference"]
    localstripe.pay(pi_id)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0

    response = deliver(
        client,
        signer,
        "transaction-refund-requested",
        requested(
            transaction_id=payload["transaction"]["id"],
            psp_reference=pi_id,
            action_type="REFUND",
            amount="9.00",
        ),
    )

    assert response.status_code == 503  # Saleor redelivers *_REQUESTED on 5xx, with the same request event
    assert response.json()["error"]["code"] == "stripe_unavailable"


def test_a_refund_redelivered_after_a_timeout_reuses_its_key_and_refunds_once(
    client, signer, saleor, localstripe, slow_stripe, settings
):
    from tests.payments.saleor_payloads import requested

    payload = session(amount="30.00")
    pi_id = deliver(client, signer, "transaction-initialize-session", payload).json()["pspReference"]
    localstripe.pay(pi_id)
    refund_request = requested(
        transaction_id=payload["transaction"]["id"], psp_reference=pi_id, action_type="REFUND", amount="12.00"
    )
    settings.STRIPE_MAX_NETWORK_RETRIES = 0  # the client gives up at once: Saleor's redelivery is the retry

    first = deliver(client, signer, "transaction-refund-requested", refund_request)
    second = deliver(client, signer, "transaction-refund-requested", refund_request)

    keys = [a[2] for a in slow_stripe.attempts if a[:2] == ("POST", "/v1/refunds")]
    assert first.status_code == 503
    assert second.json()["result"] == "REFUND_SUCCESS"
    assert len(keys) == 2 and keys[0] == keys[1]
    charge = localstripe.get(f"payment_intents/{pi_id}")["latest_charge"]
    charge_id = charge["id"] if isinstance(charge, dict) else charge
    assert [r["amount"] for r in localstripe.get(f"refunds?charge={charge_id}")["data"]] == [1200]
