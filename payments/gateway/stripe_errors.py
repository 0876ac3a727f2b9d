"""Which Stripe failures are worth retrying and which are final answers."""

from __future__ import annotations

import stripe

# Network failures (after the client's own retries), 5xx, rate limits and idempotency races: try later.
RETRYABLE = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError, stripe.IdempotencyError)


class StripeUnavailable(Exception):
    """Stripe could not be reached or answered 5xx after retries; the same request may be repeated."""


def user_message(exc: stripe.StripeError) -> str:
    """Stripe's own explanation (e.g. 'Your card was declined.'), never a traceback."""
    return (getattr(exc, "user_message", None) or str(exc) or type(exc).__name__)[:500]
