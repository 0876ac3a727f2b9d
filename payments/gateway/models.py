"""What the Stripe gateway keeps: one PaymentIntent per Saleor transaction, every Stripe event once,
and every event reported to Saleor once."""

from __future__ import annotations

from django.db import models

from core.model_bases import InboxEvent, inbox_indexes
from saleor_app.models import SaleorInstallation


class PaymentIntentRecord(models.Model):
    """The Stripe PaymentIntent created for one Saleor transaction (never two for the same transaction)."""

    installation = models.ForeignKey(SaleorInstallation, on_delete=models.PROTECT, related_name="+")
    saleor_transaction_id = models.CharField(max_length=200, unique=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    payment_intent_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    amount = models.BigIntegerField(help_text="minor units (fen)")
    currency = models.CharField(max_length=3)
    action_type = models.CharField(max_length=20, help_text="Saleor flow: CHARGE or AUTHORIZATION")
    payment_methods = models.JSONField(default=list)
    channel_slug = models.CharField(max_length=100, blank=True)
    source_type = models.CharField(max_length=20, blank=True, help_text="Checkout or Order")
    source_id = models.CharField(max_length=200, blank=True)
    stripe_status = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="pi_record_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_intent_id or 'pending'} for {self.saleor_transaction_id}"


class StripeEvent(InboxEvent):
    """A verified Stripe webhook event, stored once by its id before it is processed."""

    class Status(models.TextChoices):
        PENDING = "pending"
        PROCESSING = "processing"
        DONE = "done"
        IGNORED = "ignored", "ignored (nothing to report)"
        FAILED = "failed", "failed (will retry)"

    event_id = models.CharField(max_length=100, unique=True)
    livemode = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    redacted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="when the payload's personal data (billing details, e-mails) was removed,"
        " WEBHOOK_RETENTION_DAYS after receipt; the event id stays, so a replay is still a no-op",
    )

    class Meta:
        indexes = inbox_indexes("stripe_event")

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class TransactionEventReport(models.Model):
    """One transactionEventReport sent to Saleor; the key Saleor dedupes by is unique here too."""

    installation = models.ForeignKey(SaleorInstallation, on_delete=models.PROTECT, related_name="+")
    saleor_transaction_id = models.CharField(max_length=200)
    psp_reference = models.CharField(max_length=100)
    event_type = models.CharField(max_length=40, help_text="Saleor TransactionEventTypeEnum")
    amount = models.BigIntegerField(help_text="minor units (fen)")
    currency = models.CharField(max_length=3)
    stripe_event = models.ForeignKey(StripeEvent, on_delete=models.PROTECT, related_name="reports")
    reported_at = models.DateTimeField(null=True, blank=True)
    already_processed = models.BooleanField(
        null=True, help_text="Saleor's answer: it already had this event (from a session response)"
    )
    saleor_event_id = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["saleor_transaction_id", "psp_reference", "event_type", "amount"],
                name="transaction_event_report_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.amount} {self.currency} {self.psp_reference}"


class ChargeFee(models.Model):
    """What Stripe kept on one charge, read from the charge's balance transaction (recorded once)."""

    charge_id = models.CharField(max_length=100, unique=True)
    payment_intent_id = models.CharField(max_length=100, db_index=True)
    balance_transaction_id = models.CharField(max_length=100, unique=True)
    amount = models.BigIntegerField(help_text="gross of the balance transaction, minor units")
    fee = models.BigIntegerField(help_text="minor units, in the balance transaction's currency")
    currency = models.CharField(max_length=3)
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"fee {self.fee} {self.currency} on {self.charge_id}"


class OrderPaymentReference(models.Model):
    """Which Saleor order a payment reference (a Stripe PaymentIntent id) paid; the ledger's order_ref."""

    psp_reference = models.CharField(max_length=100, unique=True)
    order_ref = models.CharField(max_length=100, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.psp_reference} -> {self.order_ref}"
