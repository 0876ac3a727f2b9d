"""The Stripe Connect call settlement makes; every transfer carries an idempotency key."""

from __future__ import annotations

from typing import Any

from core.stripe_client import stripe_client


def transfer_create(*, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    return (
        stripe_client()
        .v1.transfers.create(params=params, options={"idempotency_key": idempotency_key})
        .to_dict()
    )
