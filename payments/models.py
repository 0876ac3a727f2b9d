"""Models of the payments app (the Stripe gateway's live in payments.gateway.models)."""

from payments.gateway.models import PaymentIntentRecord, StripeEvent, TransactionEventReport

__all__ = ["PaymentIntentRecord", "StripeEvent", "TransactionEventReport"]
