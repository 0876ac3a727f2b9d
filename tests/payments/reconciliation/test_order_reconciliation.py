"""Orders posted by the real orders path reconcile with what localstripe reports for them.

Charges, partial refunds and Stripe's fee (localstripe behind the fee proxy) are imported and matched to
the ledger postings the order deliveries made; a lost fee and a wrongly posted refund are flagged,
fixed as the reconciliation says, and the period closes.
"""
# ruff: noqa: F811 - fixtures of other packages (units, deliver, ...) are imported into this module

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from payments.error_codes import SettlementError, SettlementErrorCode
from payments.ledger_services import refund_post, transaction_reverse
from payments.models import LedgerTransaction
from payments.reconciliation import services
from tests.orders.conftest import deliver, units  # noqa: F401 (fixtures)
from tests.payments.gateway.conftest import (  # noqa: F401 (fixtures)
    installation,
    localstripe,
    localstripe_url,
    saleor,
    stripe_settings,
)
from tests.payments.gateway.paid_orders import PaidOrder, paid_order, stripe_post
from tests.payments.stripe_fee_proxy import stripe_fee, stripe_with_fees  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stripe_with_fees")]


def _refunded(paid: PaidOrder, deliver, *, event_id: str, amount: int):
    """Saleor reports a refund of `amount` on the order (REFUND_SUCCESS), delivered as ORDER_REFUNDED."""
    paid.order.refunds.append((event_id, amount, "2026-11-27T10:20:00+00:00"))
    paid.order.updated_at = "2026-11-27T10:20:00+00:00"
    deliver("order_refunded", paid.payload("2026-11-27T10:21:00+00:00"))


def test_an_orders_charge_refund_and_fee_reconcile_and_a_lost_fee_and_a_wrong_refund_are_flagged_until_fixed(
    client, signer, saleor, localstripe, units, deliver, finance_users
):
    finance, _ = finance_users
    # given order A: paid, its fee reported by Stripe, 20.00 refunded in Stripe and in Saleor
    a = paid_order(client, signer, localstripe, units, "order-rec-a")
    stripe_post(client, "payment_intent.succeeded", a.pi)
    deliver("order_fully_paid", a.payload())
    localstripe.refund(a.pi["id"], 2_000)
    _refunded(a, deliver, event_id="refund-a", amount=2_000)
    # and order B: paid, but the Stripe event with its fee is lost, and Stripe refunded 15.00 while
    # the refund Saleor reported (and so the ledger posted) is 16.00
    b = paid_order(client, signer, localstripe, units, "order-rec-b")
    deliver("order_fully_paid", b.payload())
    localstripe.refund(b.pi["id"], 1_500)
    _refunded(b, deliver, event_id="refund-b", amount=1_600)

    # when Stripe's balance history is imported (the orders of this test: localstripe is shared)
    rows = [
        r for r in services.balance_transactions_fetch() if r["order_ref"] in ("order-rec-a", "order-rec-b")
    ]
    services.balance_transactions_import(rows=rows)

    # then each charge and refund carries the Saleor order it paid, as the ledger names it
    fee = stripe_fee(a.order.total)
    assert sorted((r["order_ref"], r["type"], r["amount"], r["fee"]) for r in rows) == [
        ("order-rec-a", "charge", 16_800, fee),
        ("order-rec-a", "refund", -2_000, 0),
        ("order-rec-b", "charge", 16_800, fee),
        ("order-rec-b", "refund", -1_500, 0),
    ]
    # and order A matches, order B shows the missing fee and the wrong refund, and the period stays open
    now = timezone.now()
    period = services.period_open(start=now - timedelta(hours=1), end=now + timedelta(hours=1))
    result = services.period_reconcile(period=period)
    assert [(i.key, i.stripe, i.ledger) for i in result.open_items] == [
        ("fee:order-rec-b", fee, 0),
        ("refund:order-rec-b", 1_500, 1_600),
    ]
    assert "stripe_fee_collect" in result.open_items[0].action
    with pytest.raises(SettlementError) as refused:
        services.period_close(period_id=period.pk, actor=finance)
    assert refused.value.code == SettlementErrorCode.PERIOD_NOT_RECONCILED

    # when finance does what the items say: reverse the wrong refund, post Stripe's, collect the fee
    wrong = LedgerTransaction.objects.get(idempotency_key="refund:refund-b")
    transaction_reverse(transaction_id=wrong.pk, idempotency_key="fix:refund-b", memo="Stripe refunded 15.00")
    refund_post(
        idempotency_key="refund:refund-b:fixed", order_ref="order-rec-b", currency="CNY", amount=1_500
    )
    out = io.StringIO()
    call_command("stripe_fee_collect", "order-rec-b", stdout=out)
    assert out.getvalue() == f"order-rec-b {b.pi['id']}: fee recorded\n"

    # then nothing is open and the period closes
    assert services.period_reconcile(period=period).items == []
    assert services.period_close(period_id=period.pk, actor=finance).status == "closed"


def test_collecting_the_fee_of_an_order_without_a_linked_payment_says_so():
    with pytest.raises(CommandError, match="order order-unknown: no payment is linked to it"):
        call_command("stripe_fee_collect", "order-unknown")
