"""Stripe's fee onto the ledger: what Stripe kept on a charge, posted to the order that charge paid.

Two facts arrive in either order: the fee (a Stripe event leads to the charge's balance transaction)
and the order's payment posting (a Saleor order event, which also links the order's payment
references, i.e. PaymentIntent ids, to the order). Whichever lands second posts the fee under
`fee:<balance transaction id>`, borne per party as the payment's fee rules say
(ledger_services.payment_fee_post). Both sides take the same advisory lock per PaymentIntent before
touching the ledger, so two concurrent workers cannot each miss the other's fact, and the lock is
always taken before the payment row lock (no deadlock with refunds).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction

from payments import ledger_services
from payments.gateway import stripe_api
from payments.gateway.models import ChargeFee, OrderPaymentReference, PaymentIntentRecord
from payments.ledger_services import PostResult
from payments.models import LedgerTransaction

logger = logging.getLogger(__name__)

# Stripe events that can carry a charge whose balance transaction (and so its fee) is known.
FEE_EVENTS = ("payment_intent.succeeded", "charge.succeeded", "charge.captured", "charge.updated")


def fee_key(balance_transaction_id: str) -> str:
    return f"fee:{balance_transaction_id}"


def _lock(references: Iterable[str]) -> None:
    """Serialise the fee and the order's payment of one PaymentIntent (held until commit)."""
    with connection.cursor() as cursor:
        for ref in sorted(set(references)):  # a stable order: no deadlock between two orders' workers
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"wc-fee:{ref}"])


def order_payment_link(*, order_ref: str, psp_references: Iterable[str]) -> None:
    """Lock the order's payment references and record that they paid this order (before its postings)."""
    refs = sorted({ref for ref in psp_references if ref})
    _lock(refs)
    for ref in refs:
        link, _ = OrderPaymentReference.objects.get_or_create(
            psp_reference=ref, defaults={"order_ref": order_ref}
        )
        if link.order_ref != order_ref:  # Saleor moves a transaction only from a checkout to its order
            logger.warning("payment %s is linked to order %s, not %s", ref, link.order_ref, order_ref)


def order_fees_post(*, order_ref: str, psp_references: Iterable[str]) -> list[PostResult]:
    """Post the fees already recorded on the order's payment references (once its payment is posted)."""
    refs = sorted({ref for ref in psp_references if ref})
    _lock(refs)
    fees = ChargeFee.objects.filter(payment_intent_id__in=refs).order_by("pk")
    return [r for r in (_post(fee, order_ref) for fee in fees) if r is not None]


def _post(fee: ChargeFee, order_ref: str) -> PostResult | None:
    """Post one recorded fee if the order's payment is posted; None when there is nothing (yet) to post."""
    if fee.fee == 0:
        return None
    payment = LedgerTransaction.objects.filter(
        order_ref=order_ref, kind=LedgerTransaction.Kind.PAYMENT
    ).first()
    if payment is None:  # the order's payment posting posts it
        return None
    if payment.currency != fee.currency:  # Stripe settled in another currency: reconciliation lists it
        logger.warning(
            "fee of %s is in %s, order %s in %s", fee.charge_id, fee.currency, order_ref, payment.currency
        )
        return None
    return ledger_services.payment_fee_post(
        idempotency_key=fee_key(fee.balance_transaction_id),
        order_ref=order_ref,
        fee=fee.fee,
        currency=fee.currency,
    )


def charge_fee_record(
    *, charge_id: str, payment_intent_id: str, balance_transaction: dict[str, Any]
) -> PostResult | None:
    """Record what Stripe kept on a charge (once), and post it if the order it paid is posted."""
    with transaction.atomic():
        _lock([payment_intent_id])
        fee, _ = ChargeFee.objects.get_or_create(
            charge_id=charge_id,
            defaults={
                "payment_intent_id": payment_intent_id,
                "balance_transaction_id": balance_transaction["id"],
                "amount": int(balance_transaction["amount"]),
                "fee": int(balance_transaction.get("fee") or 0),
                "currency": str(balance_transaction["currency"]).upper(),
            },
        )
        link = OrderPaymentReference.objects.filter(psp_reference=payment_intent_id).first()
        return _post(fee, link.order_ref) if link else None


def _charge_fee_collect(charge: dict[str, Any], payment_intent_id: str) -> bool:
    """Record the fee of a charge whose balance transaction exists; False when Stripe has none yet."""
    if charge.get("status") != "succeeded":
        return False
    txn = charge.get("balance_transaction")
    if not txn:  # charge.updated brings it once Stripe has it
        return False
    if isinstance(txn, str):
        txn = stripe_api.balance_transaction_retrieve(txn)
    charge_fee_record(charge_id=charge["id"], payment_intent_id=payment_intent_id, balance_transaction=txn)
    return True


def payment_intent_fee_collect(
    *, payment_intent_id: str, payment_intent: dict[str, Any] | None = None
) -> bool:
    """Read the PaymentIntent's charge from Stripe and record its fee (also the fix for a lost webhook)."""
    pi = payment_intent or stripe_api.payment_intent_retrieve(payment_intent_id)
    charge = pi.get("latest_charge")
    if not charge:
        return False
    if isinstance(charge, str):
        charge = stripe_api.charge_retrieve(charge)
    return _charge_fee_collect(charge, payment_intent_id)


def event_fee_collect(*, payload: dict[str, Any]) -> bool:
    """Record the fee a Stripe event leads to, for PaymentIntents of this gateway; False when none."""
    event_type, obj = payload["type"], payload["data"]["object"]
    if event_type not in FEE_EVENTS:
        return False
    pi_id = obj["id"] if event_type.startswith("payment_intent.") else obj.get("payment_intent")
    if not pi_id or not PaymentIntentRecord.objects.filter(payment_intent_id=pi_id).exists():
        return False
    if event_type.startswith("payment_intent."):
        return payment_intent_fee_collect(payment_intent_id=pi_id, payment_intent=obj)
    return _charge_fee_collect(obj, pi_id)
