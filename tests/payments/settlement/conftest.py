"""Settlement fixtures: ledger postings with chosen dates, and a Stripe Connect double at the HTTP edge.

localstripe has no Connect (no accounts, no transfers), so POST /v1/transfers is served by a small
HTTP server on 127.0.0.1 that keeps Stripe's idempotency-key semantics; everything else is real.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from payments.ledger_services import payment_post, refund_post
from payments.split import SaleLine
from tests.payments.sales import agreement, sale
from tests.unit_onboarding.factories import UnitFactory, UserFactory
from unit_onboarding.models import OperatingEntity


class ConnectDouble:
    """Stripe transfers: one per idempotency key, like Stripe; every request is recorded."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict]] = []
        self.by_key: dict[str, dict] = {}
        self.fail_next = 0

    def transfer(self, key: str, form: dict) -> tuple[int, dict]:
        self.requests.append((key, form))
        if self.fail_next:
            self.fail_next -= 1
            return 500, {"error": {"type": "api_error", "message": "try again"}}
        if key not in self.by_key:
            self.by_key[key] = {
                "id": f"tr_{len(self.by_key) + 1:06d}",
                "object": "transfer",
                "amount": int(form["amount"]),
                "currency": form["currency"],
                "destination": form["destination"],
                "transfer_group": form.get("transfer_group"),
                "source_transaction": form.get("source_transaction"),
            }
        return 200, self.by_key[key]

    @property
    def transfers(self) -> list[dict]:
        return list(self.by_key.values())


@pytest.fixture
def connect(settings):
    double = ConnectDouble()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
            if self.path != "/v1/transfers":
                status, payload = 404, {"error": {"type": "invalid_request_error", "message": "no route"}}
            else:
                status, payload = double.transfer(self.headers.get("Idempotency-Key", ""), form)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STRIPE_SECRET_KEY = "sk_test_connect_double"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    yield double
    server.shutdown()
    server.server_close()


def at(day: int, month: int = 11, hour: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def finance_users():
    return UserFactory(), UserFactory()


@pytest.fixture
def parties():
    """A unit paid by Stripe Connect (through its operating entity) and one paid by bank file."""
    stripe_unit = UnitFactory()
    stripe_entity = OperatingEntity.objects.create(
        unit=stripe_unit,
        legal_name="重庆文创有限公司",
        settlement_method="stripe",
        stripe_account_id="acct_1A",
    )
    bank_unit = UnitFactory()
    bank_entity = OperatingEntity.objects.create(
        unit=bank_unit, legal_name="某某图书馆", settlement_method="bank", bank_name="中国银行"
    )
    bank_entity.bank_account = "6217000012345678"
    bank_entity.save()
    return {
        "stripe_unit": stripe_unit,
        "stripe": stripe_entity.party_key,
        "bank_unit": bank_unit,
        "bank": bank_entity.party_key,
    }


def pay(order: str, party: str, amount: int, when: datetime, *, fee: int = 0) -> None:
    """A paid order: 90% to `party`, 10% to the platform, posted at `when`."""
    terms = agreement(
        version_id=f"agr:{party}:v1", shares=((party, "entity", 9000), ("platform", "platform", 1000))
    )
    payment_post(
        idempotency_key=f"payment:{order}",
        sale=sale(order_ref=order, lines=(SaleLine("L1", amount, terms, party),), fee=fee),
        posted_at=when,
    )


def refund(order: str, amount: int, when: datetime) -> None:
    refund_post(
        idempotency_key=f"refund:{order}:{when:%j%H}",
        order_ref=order,
        currency="CNY",
        amount=amount,
        posted_at=when,
    )
