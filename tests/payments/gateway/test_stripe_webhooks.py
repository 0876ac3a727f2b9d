"""Stripe webhooks: verified, stored once by event id, reported to Saleor once, retried from the store."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from unittest.mock import patch

import psycopg
import pytest
from django.db import transaction
from django.utils import timezone

from payments.gateway import events, tasks
from payments.gateway.events import stripe_event_store
from payments.gateway.models import StripeEvent, TransactionEventReport
from tests.db_sessions import connection_params, race
from tests.payments.gateway.conftest import stripe_event, stripe_signature
from tests.payments.gateway.saleor_payloads import deliver, requested, session

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/payments/gateway/stripe/webhook"


def post(client, body: bytes, signature: str):
    return client.post(
        URL, data=body, content_type="application/json", headers={"Stripe-Signature": signature}
    )


def paid_intent(client, signer, localstripe, *, amount="268.00", action_type="CHARGE") -> tuple[dict, dict]:
    """A Saleor transaction paid by card in localstripe; returns (session payload, PaymentIntent)."""
    payload = session(amount=amount, action_type=action_type)
    pi_id = deliver(client, signer, "transaction-initialize-session", payload).json()["pspReference"]
    localstripe.pay(pi_id)
    return payload, localstripe.get(f"payment_intents/{pi_id}")


def succeeded_events_stored(client, signer, localstripe, n: int) -> list[dict]:
    """`n` paid PaymentIntents whose payment_intent.succeeded Stripe delivered and we stored, no drain woken
    for them: the PaymentIntents."""
    intents = [paid_intent(client, signer, localstripe)[1] for _ in range(n)]
    with patch.object(events, "stripe_events_kick"):
        for pi in intents:
            body = stripe_event("payment_intent.succeeded", pi)
            post(client, body, stripe_signature(body))
    return intents


def test_a_payment_intent_succeeded_event_is_reported_once_even_if_delivered_three_times(
    client, signer, saleor, localstripe
):
    payload, pi = paid_intent(client, signer, localstripe)
    body = stripe_event("payment_intent.succeeded", pi)

    responses = [post(client, body, stripe_signature(body)) for _ in range(3)]

    assert [r.json()["stored"] for r in responses] == [True, False, False]
    assert StripeEvent.objects.get().status == StripeEvent.Status.DONE
    assert saleor.calls == [
        {
            "id": payload["transaction"]["id"],
            "pspReference": pi["id"],
            "type": "CHARGE_SUCCESS",
            "amount": "268.00",
            "time": saleor.calls[0]["time"],
            "message": f"Stripe payment_intent.succeeded ({json.loads(body)['id']})",
            "availableActions": ["REFUND"],
        }
    ]


def test_the_same_fact_in_two_stripe_events_reaches_saleor_once(client, signer, saleor, localstripe):
    _payload, pi = paid_intent(client, signer, localstripe)

    for _ in range(2):  # two distinct event ids carrying the same outcome
        body = stripe_event("payment_intent.succeeded", pi)
        post(client, body, stripe_signature(body))

    assert StripeEvent.objects.count() == 2
    assert len(saleor.calls) == 1
    assert TransactionEventReport.objects.get().reported_at is not None


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(lambda body: stripe_signature(body, secret="whsec_forged"), id="wrong-secret"),
        pytest.param(lambda body: stripe_signature(body, timestamp=int(time.time()) - 3600), id="stale"),
        pytest.param(lambda body: stripe_signature(body + b" "), id="other-body"),
        pytest.param(lambda body: "", id="missing"),
    ],
)
def test_a_forged_or_stale_stripe_webhook_is_refused_and_stores_nothing(
    client, signer, saleor, localstripe, signature
):
    _payload, pi = paid_intent(client, signer, localstripe)
    body = stripe_event("payment_intent.succeeded", pi)

    response = post(client, body, signature(body))

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0
    assert saleor.calls == []


def test_a_failed_report_is_retried_from_the_stored_event_and_lands_once(client, signer, saleor, localstripe):
    _payload, pi = paid_intent(client, signer, localstripe)
    body = stripe_event("payment_intent.succeeded", pi)
    saleor.fail_next = 10  # Saleor down: every attempt of this delivery fails

    post(client, body, stripe_signature(body))
    event = StripeEvent.objects.get()
    assert event.status == StripeEvent.Status.FAILED
    assert TransactionEventReport.objects.count() == 0

    saleor.fail_next = 0
    StripeEvent.objects.filter(pk=event.pk).update(processed_at=event.received_at.replace(year=2000))
    redelivered = tasks.stripe_events_redeliver.delay().get()
    again = tasks.stripe_events_redeliver.delay().get()

    event.refresh_from_db()
    assert (redelivered, again) == (1, 0)
    assert event.status == StripeEvent.Status.DONE
    assert [e["key"][2] for e in saleor.events] == ["CHARGE_SUCCESS"]
    assert TransactionEventReport.objects.get().reported_at is not None


def test_refunds_are_reported_from_charge_refunded_and_refund_updated_without_doubles(
    client, signer, saleor, localstripe
):
    payload, pi = paid_intent(client, signer, localstripe, amount="100.00")
    first = localstripe.refund(pi["id"], 3000)
    second = localstripe.refund(pi["id"], 1050)
    charge = localstripe.get(f"charges/{first['charge']}")

    for event in (
        stripe_event("charge.refunded", charge),
        stripe_event("refund.updated", first),
        stripe_event("refund.updated", second),
    ):
        post(client, event, stripe_signature(event))

    reported = sorted(
        (e["variables"]["pspReference"], e["variables"]["type"], e["variables"]["amount"])
        for e in saleor.events
    )
    assert reported == sorted(
        [(first["id"], "REFUND_SUCCESS", "30.00"), (second["id"], "REFUND_SUCCESS", "10.50")]
    )
    assert len(saleor.calls) == 2
    assert {c["id"] for c in saleor.calls} == {payload["transaction"]["id"]}


def test_a_dispute_is_reported_as_a_chargeback(client, signer, saleor, localstripe):
    _payload, pi = paid_intent(client, signer, localstripe, amount="58.00")
    dispute = {
        "id": "dp_wenchuang1",
        "object": "dispute",
        "amount": 5800,
        "currency": "cny",
        "charge": pi["latest_charge"] if isinstance(pi["latest_charge"], str) else pi["latest_charge"]["id"],
        "payment_intent": pi["id"],
        "reason": "fraudulent",
        "status": "needs_response",
    }
    body = stripe_event("charge.dispute.created", dispute)

    post(client, body, stripe_signature(body))

    assert [(c["pspReference"], c["type"], c["amount"]) for c in saleor.calls] == [
        ("dp_wenchuang1", "CHARGE_BACK", "58.00")
    ]
    assert saleor.calls[0]["message"] == "Dispute opened: fraudulent."


def test_a_charge_success_returned_by_the_session_is_not_a_second_event_in_saleor(
    client, signer, saleor, localstripe
):
    # Saleor already holds CHARGE_SUCCESS from the charge-requested answer; the webhook repeats it.
    payload, pi = paid_intent(client, signer, localstripe, amount="20.00", action_type="AUTHORIZATION")
    txn = payload["transaction"]["id"]
    deliver(
        client,
        signer,
        "transaction-charge-requested",
        requested(transaction_id=txn, psp_reference=pi["id"], action_type="CHARGE", amount="20.00"),
    )
    saleor.events.append({"key": (txn, pi["id"], "CHARGE_SUCCESS", "20.00"), "variables": {}})
    body = stripe_event("payment_intent.succeeded", localstripe.get(f"payment_intents/{pi['id']}"))

    post(client, body, stripe_signature(body))

    assert len(saleor.events) == 1
    assert TransactionEventReport.objects.get().already_processed is True


def test_events_of_payments_this_app_did_not_create_are_ignored(client, signer, saleor, localstripe):
    body = stripe_event(
        "payment_intent.succeeded",
        {
            "id": "pi_elsewhere",
            "object": "payment_intent",
            "amount": 100,
            "currency": "cny",
            "status": "succeeded",
        },
    )

    post(client, body, stripe_signature(body))

    assert StripeEvent.objects.get().status == StripeEvent.Status.IGNORED
    assert saleor.calls == []


def test_a_live_worker_keeps_its_event_and_one_killed_mid_event_frees_it_within_a_minute(
    client, signer, saleor, localstripe
):
    # Found by bench/soak.py: a worker SIGKILLed mid-event left it "processing" for ten minutes.
    _payload, pi = paid_intent(client, signer, localstripe)
    body = stripe_event("payment_intent.succeeded", pi)
    with patch.object(events, "stripe_events_kick"), transaction.atomic():
        pk = stripe_event_store(payload=json.loads(body))
    worker = psycopg.connect(**connection_params(), autocommit=True)  # another worker's session took it
    worker.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [f"wc-stripe-event:{pk}"])
    StripeEvent.objects.filter(pk=pk).update(
        status=StripeEvent.Status.PROCESSING, processed_at=timezone.now() - timedelta(seconds=61)
    )

    tasks.stripe_events_redeliver.delay().get()
    while_alive = StripeEvent.objects.get(pk=pk).status
    worker.close()  # killed: PostgreSQL ends its session and frees the lock
    tasks.stripe_events_redeliver.delay().get()

    assert while_alive == StripeEvent.Status.PROCESSING
    assert StripeEvent.objects.get(pk=pk).status == StripeEvent.Status.DONE
    assert len(saleor.calls) == 1


def test_an_event_left_processing_by_a_dead_worker_is_picked_up_again_later(
    client, signer, saleor, localstripe
):
    _payload, pi = paid_intent(client, signer, localstripe)
    body = stripe_event("payment_intent.succeeded", pi)
    with patch.object(events, "stripe_events_kick") as wake, transaction.atomic():
        pk = stripe_event_store(payload=json.loads(body))
    wake.assert_called_once_with()  # ...and the worker that took it dies mid-way:
    assert saleor.calls == []
    StripeEvent.objects.filter(pk=pk).update(
        status=StripeEvent.Status.PROCESSING, processed_at=timezone.now()
    )

    fresh = tasks.stripe_events_redeliver.delay().get()
    StripeEvent.objects.filter(pk=pk).update(processed_at=timezone.now() - timedelta(minutes=11))
    stuck = tasks.stripe_events_redeliver.delay().get()

    assert (fresh, stuck) == (0, 1)
    assert StripeEvent.objects.get(pk=pk).status == StripeEvent.Status.DONE
    assert len(saleor.calls) == 1


@pytest.fixture
def wakeup_cleared():
    """No wake-up key left by an earlier test, nor by this one (a later test's kick would be ignored)."""
    events._WAKEUP.consumed()
    yield
    events._WAKEUP.consumed()


def test_a_burst_of_stripe_events_queues_one_drain_which_reports_each_once(
    client, signer, saleor, localstripe, wakeup_cleared
):
    # Found by bench/soak.py: a task per Stripe event queued behind the Saleor drains, and the events
    # whose task went with Redis waited two minutes for the sweep, then 500 a minute.
    intents = [paid_intent(client, signer, localstripe)[1] for _ in range(3)]
    bodies = [stripe_event("payment_intent.succeeded", pi) for pi in intents]

    with patch.object(tasks.stripe_events_drain, "delay") as wake:
        for body in [*bodies, bodies[0]]:  # one delivered twice
            post(client, body, stripe_signature(body))
    queued, pending = wake.call_count, StripeEvent.objects.filter(status=StripeEvent.Status.PENDING).count()
    walked = tasks.stripe_events_drain()

    assert (queued, pending, walked) == (1, 3, 3)
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {StripeEvent.Status.DONE}
    assert sorted(call["pspReference"] for call in saleor.calls) == sorted(pi["id"] for pi in intents)


def test_a_drain_hands_over_to_a_fresh_one_after_its_batch(
    client, signer, saleor, localstripe, wakeup_cleared
):
    succeeded_events_stored(client, signer, localstripe, 3)

    with patch.object(tasks.stripe_events_drain, "delay") as wake:
        walked = events.stripe_events_drain(batch=2)

    assert walked == 2
    assert wake.call_count == 1  # the rest is the next drain's
    assert StripeEvent.objects.filter(status=StripeEvent.Status.PENDING).count() == 1
    assert len(saleor.calls) == 2


def test_events_whose_wake_up_went_with_redis_are_drained_at_the_next_sweep(
    client, signer, saleor, localstripe, wakeup_cleared
):
    # Stored ten seconds ago; the drain's message was lost with Redis's queue (a restart, a flush).
    succeeded_events_stored(client, signer, localstripe, 1)
    StripeEvent.objects.update(received_at=timezone.now() - timedelta(seconds=10))

    due = tasks.stripe_events_redeliver.delay().get()

    assert due == 0  # not yet counted as lost: the drain took it
    assert StripeEvent.objects.get().status == StripeEvent.Status.DONE
    assert len(saleor.calls) == 1


def test_failed_events_are_retried_in_batches_each_event_once(
    client, signer, saleor, localstripe, wakeup_cleared
):
    intents = [paid_intent(client, signer, localstripe)[1] for _ in range(3)]
    saleor.fail_next = 100  # Saleor down: every report fails
    for pi in intents:
        body = stripe_event("payment_intent.succeeded", pi)
        post(client, body, stripe_signature(body))
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {StripeEvent.Status.FAILED}
    saleor.fail_next = 0
    StripeEvent.objects.update(processed_at=timezone.now() - timedelta(minutes=5))

    with patch.object(tasks.stripe_events_process, "delay", side_effect=tasks.stripe_events_process) as batch:
        due = tasks.stripe_events_redeliver.delay().get()

    assert due == 3
    assert batch.call_count == 1  # one message for the three
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {StripeEvent.Status.DONE}
    assert sorted(e["key"][1] for e in saleor.events) == sorted(pi["id"] for pi in intents)


def test_two_drains_on_the_same_events_report_each_once(client, signer, saleor, localstripe, wakeup_cleared):
    intents = succeeded_events_stored(client, signer, localstripe, 4)
    race(events.stripe_events_drain, events.stripe_events_drain)

    assert set(StripeEvent.objects.values_list("status", flat=True)) == {StripeEvent.Status.DONE}
    assert StripeEvent.objects.filter(attempts=1).count() == 4
    assert sorted(call["pspReference"] for call in saleor.calls) == sorted(pi["id"] for pi in intents)


def test_a_drain_that_finds_a_backlog_wakes_a_second_workers_drain(
    client, signer, saleor, localstripe, wakeup_cleared
):
    # Found by bench/soak.py: once deliveries stopped, a backlog drained on one worker, the others idle.
    succeeded_events_stored(client, signer, localstripe, 3)

    with patch.object(tasks.stripe_events_drain, "delay") as wake:
        walked = events.stripe_events_drain(chunk=2)  # the first read is full: a backlog
        helpers = wake.call_count
        events._WAKEUP.consumed()  # the second drain started
        nothing_left = events.stripe_events_drain(chunk=2)

    assert (walked, helpers, nothing_left, wake.call_count) == (3, 1, 0, 1)
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {StripeEvent.Status.DONE}
