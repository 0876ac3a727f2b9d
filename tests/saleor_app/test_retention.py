"""Personal data in stored webhook bodies is redacted after WEBHOOK_RETENTION_DAYS by a beat job; the key,
type, status and times stay, so a replay of a redacted delivery is still a no-op."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx
from django.db import connection

from saleor_app import tasks
from saleor_app.models import WebhookEvent
from tests.factories import APP_ID, SaleorInstallationFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/saleor/webhooks/order-changes"
EMAIL, PHONE, STREET = "zhang.san@example.cn", "+8613800138000", "科技园路1号"
RECEIVED = datetime(2031, 3, 1, 2, 0, tzinfo=UTC)
handled: list[str] = []


def record(*, event_type, payload, installation):
    handled.append(payload["order"]["id"])


def order_body(order_id: str, issued_at: str) -> bytes:
    address = {"firstName": "三", "lastName": "张", "phone": PHONE, "streetAddress1": STREET}
    order = {"id": order_id, "number": "47", "userEmail": EMAIL, "shippingAddress": address}
    payload = {"issuedAt": issued_at, "version": "3.24.0-a.0", "recipient": {"id": APP_ID}, "order": order}
    return json.dumps(payload, ensure_ascii=False).encode()


@pytest.fixture(autouse=True)
def saleor(settings, signer):
    handled.clear()
    settings.SALEOR_WEBHOOK_HANDLERS = {"order_created": f"{__name__}.record"}
    installation = SaleorInstallationFactory()
    with respx.mock(assert_all_called=False) as mock:
        mock.get(installation.jwks_url).mock(return_value=httpx.Response(200, json=signer.jwks()))
        yield installation


def deliver(client, body: bytes, signature: str):
    headers = {
        "Saleor-Event": "order_created",
        "Saleor-Api-Url": "http://127.0.0.1:8000/graphql/",
        "Saleor-Signature": signature,
    }
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def personal_data_rows() -> int:
    """Rows whose stored text still holds the buyer's e-mail, phone or street, anywhere."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM saleor_app_webhookevent WHERE concat(body, payload::text, signature) ~ %s",
            ["|".join(map(re.escape, (EMAIL, PHONE, STREET)))],
        )
        return cursor.fetchone()[0]


def test_after_the_retention_period_the_body_is_redacted_and_a_replay_is_still_a_no_op(
    client, signer, settings, time_machine
):
    settings.WEBHOOK_RETENTION_DAYS = 90
    time_machine.move_to(RECEIVED, tick=False)
    old_body = order_body("T3JkZXI6MQ==", "2031-03-01T02:00:00+00:00")
    assert deliver(client, old_body, signer.sign(old_body)).json() == {"stored": True}
    before = WebhookEvent.objects.values("key", "event_type", "status", "received_at", "processed_at").get()
    time_machine.move_to(RECEIVED + timedelta(days=85), tick=False)
    recent = order_body("T3JkZXI6Mg==", "2031-05-25T02:00:00+00:00")
    deliver(client, recent, signer.sign(recent))

    time_machine.move_to(RECEIVED + timedelta(days=90, minutes=1), tick=False)
    redacted = tasks.inbox_redact_expired.apply().get()  # the beat job

    event = WebhookEvent.objects.get(key=before["key"])
    assert redacted == 1
    assert (event.body, event.signature) == ("", "")
    assert event.payload == {
        "issuedAt": "2031-03-01T02:00:00+00:00",
        "version": "3.24.0-a.0",
        "recipient": {"id": APP_ID},
        "order": {"id": "T3JkZXI6MQ=="},
    }
    assert event.redacted_at == RECEIVED + timedelta(days=90, minutes=1)
    assert {k: getattr(event, k) for k in before} == before  # key, type, status, times
    assert personal_data_rows() == 1  # only the delivery still inside its retention period

    replayed = deliver(client, old_body, signer.sign(old_body))  # Saleor, or an attacker, sends it again

    assert replayed.status_code == 200 and replayed.json() == {"stored": False}
    assert WebhookEvent.objects.count() == 2
    assert handled == ["T3JkZXI6MQ==", "T3JkZXI6Mg=="]  # the old order was not processed twice


def test_parked_events_keep_their_bodies_until_they_are_resolved(client, signer, settings, time_machine):
    settings.SALEOR_WEBHOOK_HANDLERS = {"order_created": None}  # no handler: stored, then ignored
    time_machine.move_to(RECEIVED, tick=False)
    body = order_body("T3JkZXI6Mw==", "2031-03-01T02:00:00+00:00")
    deliver(client, body, signer.sign(body))
    WebhookEvent.objects.update(status=WebhookEvent.Status.PARKED, last_error="unit_unresolved")

    time_machine.move_to(RECEIVED + timedelta(days=400), tick=False)
    redacted = tasks.inbox_redact_expired.apply().get()

    assert redacted == 0
    assert WebhookEvent.objects.get().body == body.decode()
