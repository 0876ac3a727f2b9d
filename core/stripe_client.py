"""The one Stripe client factory: every app that calls Stripe (payments, Connect onboarding) uses it."""

from __future__ import annotations

from functools import cache

import stripe
from django.conf import settings


def stripe_client() -> stripe.StripeClient:
    """A Stripe client that retries network failures itself (same idempotency key on every attempt)."""
    return _client(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE.rstrip("/"),
        settings.STRIPE_MAX_NETWORK_RETRIES,
        settings.STRIPE_TIMEOUT,
    )


@cache
def _client(secret_key: str, base: str, retries: int, timeout: float) -> stripe.StripeClient:
    # One client per configuration: its HTTP sessions (one per thread) keep connections to Stripe open.
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": base} if base else None,
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=timeout),
    )
