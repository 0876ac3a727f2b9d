"""The Stripe calls the gateway makes, as plain dicts; every write carries an idempotency key."""

from __future__ import annotations

from typing import Any

from core.stripe_client import stripe_client


def payment_intent_create(*, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    return (
        stripe_client()
        .v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key})
        .to_dict()
    )


def payment_intent_retrieve(payment_intent_id: str) -> dict[str, Any]:
    return stripe_client().v1.payment_intents.retrieve(payment_intent_id).to_dict()


def payment_intent_capture(payment_intent_id: str, *, amount: int, idempotency_key: str) -> dict[str, Any]:
    return (
        stripe_client()
        .v1.payment_intents.capture(
            payment_intent_id,
            params={"amount_to_capture": amount},
            options={"idempotency_key": idempotency_key},
        )
        .to_dict()
    )


def payment_intent_cancel(payment_intent_id: str, *, idempotency_key: str) -> dict[str, Any]:
    return (
        stripe_client()
        .v1.payment_intents.cancel(payment_intent_id, options={"idempotency_key": idempotency_key})
        .to_dict()
    )


def refund_create(*, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    return (
        stripe_client()
        .v1.refunds.create(params=params, options={"idempotency_key": idempotency_key})
        .to_dict()
    )


def refunds_of_charge(charge_id: str) -> list[dict[str, Any]]:
    page = stripe_client().v1.refunds.list(params={"charge": charge_id, "limit": 100})
    return [refund.to_dict() for refund in page.data]


def charge_retrieve(charge_id: str) -> dict[str, Any]:
    return stripe_client().v1.charges.retrieve(charge_id).to_dict()


def payment_intent_of_charge(charge_id: str) -> str | None:
    return charge_retrieve(charge_id).get("payment_intent")


def balance_transaction_retrieve(balance_transaction_id: str) -> dict[str, Any]:
    """Amount, fee and net Stripe booked for a charge or refund (its currency is the settlement's)."""
    return stripe_client().v1.balance_transactions.retrieve(balance_transaction_id).to_dict()


def token_card_id(token_id: str) -> str:
    """The card behind a Stripe.js token (createToken): localstripe takes it as a payment_method."""
    return stripe_client().v1.tokens.retrieve(token_id).to_dict()["card"]["id"]


def payment_intent_confirm_with(
    payment_intent_id: str, *, payment_method: str, idempotency_key: str
) -> dict[str, Any]:
    """Attach the payment method, then confirm: two writes, each with its own idempotency key."""
    client = stripe_client()
    client.v1.payment_intents.update(
        payment_intent_id,
        params={"payment_method": payment_method},
        options={"idempotency_key": f"{idempotency_key}:attach"},
    )
    return client.v1.payment_intents.confirm(
        payment_intent_id, options={"idempotency_key": f"{idempotency_key}:confirm"}
    ).to_dict()
