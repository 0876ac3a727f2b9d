"""Found by bench/soak.py: while Redis (Celery's broker) was down, a delivery already stored was answered 500.

The intake's work is done once the delivery is stored: the wake-up of a worker is best effort (the next
delivery's wake-up, the beat sweep of the inbox, find it). Answering 500 only made Saleor and Stripe send
it again, which stores nothing new and wakes nobody. Run in a fresh interpreter whose broker is a port
where nothing listens, against this test's database.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.db import connection

from payments.gateway.models import StripeEvent
from saleor_app.models import WebhookEvent
from tests.django_process import setup_django
from tests.factories import APP_ID, SaleorInstallationFactory
from tests.payments.gateway.conftest import STRIPE_WEBHOOK_SECRET, stripe_event, stripe_signature
from tests.soak.ports import closed_port

pytestmark = pytest.mark.django_db(transaction=True)

POST = """
import sys
from django.test import Client
path, body, headers = sys.argv[1], sys.argv[2].encode(), json.loads(sys.argv[3])
client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
response = client.post(path, data=body, content_type="application/json", headers=headers)
print(response.status_code)
"""


def _database_url(db: dict) -> str:
    """This test's database (a TCP server, or the embedded one on its socket directory)."""
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{db['USER']}{password}@{quote(db['HOST'] or '127.0.0.1', safe='')}{port}/{db['NAME']}"


def _post_with_the_broker_down(path: str, body: bytes, headers: dict) -> str:
    result = setup_django(
        {
            "DATABASE_URL": _database_url(connection.settings_dict),
            "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0",
            "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
            "LOG_LEVEL": "CRITICAL",
        },
        "import json;" + POST.replace("\n", ";").replace(";;", ";").strip(";"),
        args=(path, body.decode(), json.dumps(headers)),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_a_saleor_delivery_stored_while_the_broker_is_down_is_answered_200(signer):
    SaleorInstallationFactory(jwks=signer.jwks())
    body = json.dumps(
        {
            "issuedAt": "2026-11-27T10:00:00+00:00",
            "recipient": {"id": APP_ID},
            "product": {"id": "UHJvZHVjdDox"},
        }
    ).encode()
    headers = {
        "Saleor-Event": "product_updated",
        "Saleor-Api-Url": "http://127.0.0.1:8000/graphql/",
        "Saleor-Signature": signer.sign(body),
    }

    status = _post_with_the_broker_down("/saleor/webhooks/product-changes", body, headers)

    assert status == "200"
    assert (
        WebhookEvent.objects.get().status == WebhookEvent.Status.PENDING
    )  # the sweep or next drain takes it


def test_a_stripe_event_stored_while_the_broker_is_down_is_answered_200():
    body = stripe_event("charge.succeeded", {"id": "ch_outage", "object": "charge", "status": "succeeded"})

    status = _post_with_the_broker_down(
        "/payments/gateway/stripe/webhook", body, {"Stripe-Signature": stripe_signature(body)}
    )

    assert status == "200"
    assert StripeEvent.objects.get().status == StripeEvent.Status.PENDING
