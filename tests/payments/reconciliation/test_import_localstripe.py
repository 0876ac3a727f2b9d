"""Balance transactions imported from a real localstripe server match the ledger's postings."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from payments.ledger_services import refund_post
from payments.reconciliation import services
from tests.payments.gateway.conftest import STRIPE_SECRET_KEY, localstripe, localstripe_url  # noqa: F401
from tests.payments.settlement.conftest import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_at_localstripe(settings, localstripe_url):  # noqa: F811
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_SECRET_KEY = STRIPE_SECRET_KEY
    settings.STRIPE_MAX_NETWORK_RETRIES = 0


def test_charges_and_refunds_from_localstripe_are_imported_with_their_order_and_matched(
    localstripe,  # noqa: F811
    stripe_at_localstripe,
    parties,
):
    # given a paid and partly refunded PaymentIntent in Stripe, tagged with its order
    order = f"order-{uuid.uuid4().hex[:8]}"
    intent = localstripe._call(
        "POST",
        "payment_intents",
        {
            "amount": "12000",
            "currency": "cny",
            "payment_method_types[]": "card",
            "metadata[order_ref]": order,
        },
    )
    localstripe.pay(intent["id"])
    localstripe.refund(intent["id"], 2_000)
    # and the same in the ledger
    pay(order, parties["bank"], 12_000, timezone.now())
    refund_post(idempotency_key=f"refund:{order}", order_ref=order, currency="CNY", amount=2_000)

    # when Stripe's balance history is imported
    rows = services.balance_transactions_fetch()
    services.balance_transactions_import(rows=rows)

    # then the charge and the refund carry the order, and nothing about this order is open
    mine = sorted((r["type"], r["amount"]) for r in rows if r["order_ref"] == order)
    assert mine == [("charge", 12_000), ("refund", -2_000)]
    now = timezone.now()
    period = services.period_open(start=now - timedelta(hours=1), end=now + timedelta(hours=1))
    result = services.period_reconcile(period=period)
    assert [i for i in result.items if i.ref == order] == []
