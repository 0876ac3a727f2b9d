"""Stripe events keep a charge's billing details only for WEBHOOK_RETENTION_DAYS; after the beat job the
event id, type, status and times remain, so a replay is still a no-op."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from payments.gateway import tasks
from payments.gateway.models import StripeEvent
from tests.payments.gateway.conftest import stripe_event, stripe_signature

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/payments/gateway/stripe/webhook"
RECEIVED = datetime(2031, 3, 1, 2, 0, tzinfo=UTC)
CHARGE = {
    "id": "ch_elsewhere",
    "object": "charge",
    "amount": 26800,
    "currency": "cny",
    "payment_intent": "pi_elsewhere",
    "receipt_email": "zhang.san@example.cn",
    "billing_details": {
        "email": "zhang.san@example.cn",
        "name": "张三",
        "phone": "+8613800138000",
        "address": {"line1": "科技园路1号", "city": "深圳市", "country": "CN", "postal_code": "518057"},
    },
}


def post(client, body: bytes):
    headers = {"Stripe-Signature": stripe_signature(body)}  # signed now (the moved clock): within tolerance
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def test_billing_details_are_redacted_after_the_retention_period_and_a_replay_stays_a_no_op(
    client, settings, time_machine
):
    settings.WEBHOOK_RETENTION_DAYS = 30
    time_machine.move_to(RECEIVED, tick=False)
    body = stripe_event("charge.succeeded", CHARGE, event_id="evt_retention")
    assert post(client, body).json()["stored"] is True
    kept_fields = ("event_id", "event_type", "status", "received_at", "processed_at")
    before = StripeEvent.objects.values(*kept_fields).get()
    assert before["status"] == StripeEvent.Status.IGNORED  # not a payment of this app: nothing to report

    time_machine.move_to(RECEIVED + timedelta(days=29), tick=False)
    kept = tasks.stripe_events_redact_expired.apply().get()
    time_machine.move_to(RECEIVED + timedelta(days=30, seconds=1), tick=False)
    redacted = tasks.stripe_events_redact_expired.apply().get()

    event = StripeEvent.objects.get()
    stored = json.dumps(event.payload, ensure_ascii=False)
    assert (kept, redacted) == (0, 1)
    assert "zhang.san@example.cn" not in stored and "张三" not in stored and "科技园路" not in stored
    assert event.payload == {
        "id": "evt_retention",
        "object": "event",
        "type": "charge.succeeded",
        "created": int(RECEIVED.timestamp()),
        "livemode": False,
        "data": {"object": {"id": "ch_elsewhere", "object": "charge"}},
    }
    assert {k: getattr(event, k) for k in before} == before
    assert event.redacted_at == RECEIVED + timedelta(days=30, seconds=1)

    replayed = post(client, body)

    assert replayed.status_code == 200 and replayed.json()["stored"] is False
    assert StripeEvent.objects.count() == 1
