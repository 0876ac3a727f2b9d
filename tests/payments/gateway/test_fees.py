"""Stripe's fee reaches the ledger per party, whether Stripe reports it before or after the order is posted.

Stripe is localstripe behind the fee proxy (tests/payments/stripe_fee_proxy.py).
"""
# ruff: noqa: F811 - the orders fixtures (units, deliver) are imported into this module

from __future__ import annotations

import pytest

from orders.models import Order
from payments.gateway import fees
from payments.gateway.models import ChargeFee, OrderPaymentReference, StripeEvent
from payments.models import LedgerTransaction, SplitLine
from payments.selectors import transactions_unbalanced
from tests.orders.conftest import deliver, units  # noqa: F401 (fixtures)
from tests.orders.payloads import two_unit_order
from tests.payments.gateway import saleor_payloads as sp
from tests.payments.gateway.conftest import stripe_event, stripe_signature
from tests.payments.stripe_fee_proxy import stripe_fee, stripe_with_fees  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stripe_with_fees")]

URL = "/payments/gateway/stripe/webhook"


def stripe_post(client, event_type: str, obj: dict):
    body = stripe_event(event_type, obj)
    return client.post(
        URL, data=body, content_type="application/json", headers={"Stripe-Signature": stripe_signature(body)}
    )


def paid_order(client, signer, localstripe, units, order_id: str):
    """A two-unit order paid by card through the gateway: (order payload, PaymentIntent as Stripe has it)."""
    order = two_unit_order(units, order_id).paid()
    session = sp.session(amount=f"{order.total / 100:.2f}")
    pi_id = sp.deliver(client, signer, "transaction-initialize-session", session).json()["pspReference"]
    localstripe.pay(pi_id)
    payload = order.payload()
    payload["order"]["transactions"][0].update(id=session["transaction"]["id"], pspReference=pi_id)
    return payload, localstripe.get(f"payment_intents/{pi_id}")


def _fees(order_ref: str) -> list[LedgerTransaction]:
    return list(LedgerTransaction.objects.filter(order_ref=order_ref, kind=LedgerTransaction.Kind.FEE))


def _assert_fee_posted_once(order_ref: str, pi: dict) -> None:
    charge = pi["latest_charge"]
    expected = stripe_fee(charge["amount"])
    [posting] = _fees(order_ref)
    assert posting.idempotency_key == fees.fee_key(charge["balance_transaction"])
    clearing = sum(e.amount for e in posting.entries.filter(account__kind="stripe_clearing"))
    assert clearing == -expected
    # the orders path's agreements bear the fee pro rata: it is all on the parties' split lines
    assert sum(SplitLine.objects.filter(transaction=posting).values_list("fee", flat=True)) == expected
    assert transactions_unbalanced() == []


def test_a_fee_reported_before_the_order_is_posted_lands_with_the_order_payment(
    client,
    signer,
    saleor,
    localstripe,
    units,
    deliver,
):
    payload, pi = paid_order(client, signer, localstripe, units, "order-fee-first")

    # when Stripe reports the charge before Saleor creates the order
    stripe_post(client, "payment_intent.succeeded", pi)
    assert ChargeFee.objects.get().fee == stripe_fee(pi["amount"])
    assert _fees("order-fee-first") == []
    # and then the order is paid
    deliver("order_fully_paid", payload)

    assert Order.objects.filter(saleor_id="order-fee-first").exists()
    _assert_fee_posted_once("order-fee-first", pi)


def test_a_fee_reported_after_the_order_is_posted_lands_once_whatever_is_delivered_again(
    client,
    signer,
    saleor,
    localstripe,
    units,
    deliver,
):
    payload, pi = paid_order(client, signer, localstripe, units, "order-fee-after")
    deliver("order_fully_paid", payload)
    assert OrderPaymentReference.objects.get(psp_reference=pi["id"]).order_ref == "order-fee-after"
    assert _fees("order-fee-after") == []

    stripe_post(client, "payment_intent.succeeded", pi)
    stripe_post(client, "charge.succeeded", pi["latest_charge"])  # Stripe also sends this one
    deliver("order_updated", {**payload, "issuedAt": "2026-11-27T10:12:00+00:00"})

    assert StripeEvent.objects.filter(status=StripeEvent.Status.DONE).count() == 2
    _assert_fee_posted_once("order-fee-after", pi)


def test_a_charge_without_its_balance_transaction_yet_is_completed_by_charge_updated(
    client,
    signer,
    saleor,
    localstripe,
    units,
    deliver,
):
    payload, pi = paid_order(client, signer, localstripe, units, "order-fee-late")
    deliver("order_fully_paid", payload)
    charge = pi["latest_charge"]

    stripe_post(client, "charge.succeeded", {**charge, "balance_transaction": None})
    assert ChargeFee.objects.count() == 0
    stripe_post(client, "charge.updated", charge)

    _assert_fee_posted_once("order-fee-late", pi)


def test_a_lost_fee_event_is_recovered_by_collecting_the_payment_intent_fee(
    client,
    signer,
    saleor,
    localstripe,
    units,
    deliver,
):
    payload, pi = paid_order(client, signer, localstripe, units, "order-fee-lost")
    deliver("order_fully_paid", payload)

    assert fees.payment_intent_fee_collect(payment_intent_id=pi["id"]) is True
    assert fees.payment_intent_fee_collect(payment_intent_id=pi["id"]) is True  # again: nothing new

    _assert_fee_posted_once("order-fee-lost", pi)
