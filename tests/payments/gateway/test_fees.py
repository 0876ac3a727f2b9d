"""Stripe's fee reaches the ledger per party, whether Stripe reports it before or after the order is posted.

Stripe is localstripe behind the fee proxy (tests/payments/stripe_fee_proxy.py).
"""
# ruff: noqa: F811 - the orders fixtures (units, deliver) are imported into this module

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from orders.models import Order
from orders.payload import order_data
from orders.services import order_event_apply
from payments.gateway import fees
from payments.gateway.models import ChargeFee, OrderPaymentReference, StripeEvent
from payments.models import LedgerTransaction, SplitLine
from payments.selectors import transactions_unbalanced
from tests.orders.conftest import deliver, units  # noqa: F401 (fixtures)
from tests.orders.payloads import two_unit_order
from tests.payments.gateway.paid_orders import paid_order, stripe_post
from tests.payments.stripe_fee_proxy import stripe_fee, stripe_with_fees  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stripe_with_fees")]


@pytest.fixture
def pay(client, signer, saleor, localstripe, units):
    """Pays an order of both units through the gateway: returns Saleor's payload and the PaymentIntent."""

    def pay(order_ref: str) -> tuple[dict, dict]:
        paid = paid_order(client, signer, localstripe, units, order_ref)
        return paid.payload(), paid.pi

    return pay


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


def test_a_fee_reported_before_the_order_is_posted_lands_with_the_order_payment(client, pay, deliver):
    payload, pi = pay("order-fee-first")

    # when Stripe reports the charge before Saleor creates the order
    stripe_post(client, "payment_intent.succeeded", pi)
    assert ChargeFee.objects.get().fee == stripe_fee(pi["amount"])
    assert _fees("order-fee-first") == []
    # and then the order is paid
    deliver("order_fully_paid", payload)

    assert Order.objects.filter(saleor_id="order-fee-first").exists()
    _assert_fee_posted_once("order-fee-first", pi)


def test_a_fee_reported_after_the_order_is_posted_lands_once_whatever_is_delivered_again(
    client, pay, deliver
):
    payload, pi = pay("order-fee-after")
    deliver("order_fully_paid", payload)
    assert OrderPaymentReference.objects.get(psp_reference=pi["id"]).order_ref == "order-fee-after"
    assert _fees("order-fee-after") == []

    # as Stripe sends it: latest_charge is the charge's id (localstripe embeds the charge)
    stripe_post(client, "payment_intent.succeeded", {**pi, "latest_charge": pi["latest_charge"]["id"]})
    stripe_post(client, "charge.succeeded", pi["latest_charge"])  # Stripe also sends this one
    deliver("order_updated", {**payload, "issuedAt": "2026-11-27T10:12:00+00:00"})

    assert StripeEvent.objects.filter(status=StripeEvent.Status.DONE).count() == 2
    _assert_fee_posted_once("order-fee-after", pi)


def test_a_charge_without_its_balance_transaction_yet_is_completed_by_charge_updated(client, pay, deliver):
    payload, pi = pay("order-fee-late")
    deliver("order_fully_paid", payload)
    charge = pi["latest_charge"]

    stripe_post(client, "charge.succeeded", {**charge, "balance_transaction": None})
    assert ChargeFee.objects.count() == 0
    stripe_post(client, "charge.updated", charge)

    _assert_fee_posted_once("order-fee-late", pi)


def test_a_lost_fee_event_is_recovered_by_collecting_the_payment_intent_fee(client, pay, deliver):
    payload, pi = pay("order-fee-lost")
    deliver("order_fully_paid", payload)

    assert fees.payment_intent_fee_collect(payment_intent_id=pi["id"]) is True
    assert fees.payment_intent_fee_collect(payment_intent_id=pi["id"]) is True  # again: nothing new

    _assert_fee_posted_once("order-fee-lost", pi)


def test_a_fee_recorded_while_the_order_payment_is_being_posted_is_not_lost(units, deliver):
    # given an order whose payment is being posted by one worker, not committed yet
    order = two_unit_order(units, "order-fee-race").paid()
    payload = order.payload()
    payload["order"]["transactions"][0]["pspReference"] = "pi_race"
    data = order_data(payload)
    balance_transaction = {"id": "txn_race", "amount": order.total, "fee": 517, "currency": "cny"}
    posted, fee_started, results = threading.Event(), threading.Event(), {}

    def order_worker() -> None:
        try:
            with transaction.atomic():
                order_event_apply(data=data, announced_paid=True)
                posted.set()
                fee_started.wait(10)
                time.sleep(
                    0.3
                )  # the fee worker is now waiting on the PaymentIntent's lock (or would be done)
        finally:
            connection.close()

    def fee_worker() -> None:
        try:
            fee_started.set()
            results["fee"] = fees.charge_fee_record(
                charge_id="ch_race", payment_intent_id="pi_race", balance_transaction=balance_transaction
            )
        finally:
            connection.close()

    # when the fee is recorded by another worker in the meantime
    threads = [threading.Thread(target=order_worker), threading.Thread(target=fee_worker)]
    threads[0].start()
    assert posted.wait(10)
    threads[1].start()
    for t in threads:
        t.join()

    # then the fee worker saw the committed payment and posted the fee, once
    assert results["fee"] is not None and results["fee"].created
    [posting] = _fees("order-fee-race")
    assert posting.idempotency_key == fees.fee_key("txn_race")
