"""Append-only double-entry ledger and the split lines frozen at posting.

PostgreSQL enforces the money rules (see 0002_ledger_guards in the squashed migration): every transaction
balances per currency (deferred constraint trigger, checked at commit), entries can only be added in the
database transaction that created their ledger transaction, and entries, transactions and split lines can
never be updated or deleted. Corrections are reversing transactions. Balances are sums of entries (see
selectors).
"""

from __future__ import annotations

from django.db import models


class Account(models.Model):
    """A ledger account: one per (kind, party); currency lives on each entry. Never updated nor deleted."""

    class Kind(models.TextChoices):
        PARTY_PAYABLE = "party_payable", "payable to a party"
        PLATFORM_REVENUE = "platform_revenue"
        STRIPE_CLEARING = "stripe_clearing"
        PROCESSOR_FEES = "processor_fees"
        REFUNDS = "refunds"
        BANK_CLEARING = "bank_clearing", "bank clearing (payouts by bank file)"
        CAMPAIGN_HELD = "campaign_held", "held for a crowdfunding campaign (unearned, never paid out)"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    party = models.CharField(
        max_length=64, blank=True, help_text="e.g. unit:12, entity:3, designer:5, platform"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "party"], name="payments_account_kind_party_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.party}" if self.party else self.kind


class LedgerTransaction(models.Model):
    """One balanced posting; its idempotency key makes posting the same event twice a no-op."""

    class Kind(models.TextChoices):
        PAYMENT = "payment"
        REFUND = "refund"
        REVERSAL = "reversal", "reversal (correction)"
        PAYOUT = "payout", "payout (settlement)"
        FEE = "fee", "processor fee (after its payment, or an adjustment)"
        RELEASE = "release", "release of a campaign's held income to its parties"
        AWARD = "award", "a design call's award, owed to the designer, funded by the unit"

    idempotency_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    order_ref = models.CharField(max_length=100, db_index=True)
    currency = models.CharField(max_length=3)
    fingerprint = models.CharField(
        max_length=64, help_text="sha256 of the posted request, to detect key reuse"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    memo = models.CharField(max_length=255, blank=True)
    posted_at = models.DateTimeField()

    class Meta:
        constraints = [
            # one payment per order: a second capture under another key is refused, not double-counted
            models.UniqueConstraint(
                fields=["order_ref"],
                condition=models.Q(kind="payment"),
                name="payments_txn_one_payment_per_order",
            ),
        ]
        # balances read the entries dated outside closed periods by range (payments.selectors); the
        # order-line drill-down walks a period in (posted_at, id) order (settlement.order_lines)
        indexes = [models.Index(fields=["posted_at", "id"], name="payments_txn_posted_at_idx")]

    def __str__(self) -> str:
        return self.idempotency_key


class LedgerEntry(models.Model):
    """One leg of a transaction: amount in minor units, debit positive, credit negative, never zero."""

    # No per-row FK check: a set-based trigger checks, per INSERT statement, that the transaction exists
    # and was created in the same database transaction (0002_ledger_guards); transactions are never deleted.
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries", db_constraint=False
    )
    # indexed by payments_entry_account_idx (account, currency); no per-row FK check either: the same
    # statement trigger refuses an entry whose account does not exist, and accounts are never updated nor
    # deleted (a trigger, 0016_entry_accounts_checked_per_statement)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", db_index=False, db_constraint=False
    )
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="payments_entry_nonzero"),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="payments_entry_iso_currency"
            ),
        ]
        indexes = [models.Index(fields=["account", "currency"], name="payments_entry_account_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount} {self.currency}"


class SplitLine(models.Model):
    """One party's part of one order line in one posting, with the agreement version and rule frozen."""

    # indexed by payments_split_txn_line_position_uniq; checked by the same trigger as entries
    transaction = models.ForeignKey(
        LedgerTransaction,
        on_delete=models.PROTECT,
        related_name="split_lines",
        db_index=False,
        db_constraint=False,
    )
    order_ref = models.CharField(max_length=100)
    line_ref = models.CharField(max_length=100)
    line_kind = models.CharField(max_length=16)
    party = models.CharField(max_length=64)
    role = models.CharField(max_length=32)
    position = models.PositiveSmallIntegerField(help_text="order within the line's recipe (the tie-break)")
    bps = models.PositiveIntegerField()
    carved = models.BooleanField(default=False, help_text="a royalty carved out before the agreement split")
    rule = models.CharField(max_length=64, help_text="e.g. agreement, royalty:designer, tax:seller_of_record")
    fee_rule = models.CharField(max_length=16)
    agreement_version = models.CharField(max_length=64)
    amount = models.BigIntegerField(help_text="share of the line; negative for a refund")
    fee = models.BigIntegerField(default=0, help_text="processor fee borne by this party on this line")
    currency = models.CharField(max_length=3)
    # the drill-down reads a party's lines of a period in this order from one index (settlement.order_lines):
    # payments_split_party_prior_idx (party, currency, posted_at, transaction, line_ref, prior_at), made by
    # 0022_split_line_prior_at with prior_at, a column only SQL reads (its line's previous posting's time, or
    # '-infinity'), set by a trigger
    posted_at = models.DateTimeField(help_text="its ledger transaction's posted_at (checked at insert)")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "line_ref", "position"], name="payments_split_txn_line_position_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["order_ref", "line_ref"], name="payments_split_order_line_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order_ref}/{self.line_ref} {self.party} {self.amount}"


# The Stripe gateway's models live in payments.gateway; importing them here registers them with the app.
from payments.funding.models import DiscountFunding, DiscountFundingVersion  # noqa: E402
from payments.gateway.models import (  # noqa: E402
    ChargeFee,
    OrderPaymentReference,
    PaymentIntentRecord,
    StripeEvent,
    TransactionEventReport,
)
from payments.reconciliation.models import (  # noqa: E402
    AccountingPeriod,
    ClosedPeriodBalance,
    ClosedPeriodStatement,
    ReconciliationExplanation,
    StripeBalanceTransaction,
)
from payments.settlement.models import (  # noqa: E402
    FinanceAuditEvent,
    SettlementBatch,
    SettlementBatchItem,
    SettlementTransfer,
    StatementExport,
)

__all__ = [
    "Account",
    "AccountingPeriod",
    "ChargeFee",
    "ClosedPeriodBalance",
    "ClosedPeriodStatement",
    "DiscountFunding",
    "DiscountFundingVersion",
    "FinanceAuditEvent",
    "LedgerEntry",
    "LedgerTransaction",
    "OrderPaymentReference",
    "PaymentIntentRecord",
    "ReconciliationExplanation",
    "SettlementBatch",
    "SettlementBatchItem",
    "SettlementTransfer",
    "SplitLine",
    "StatementExport",
    "StripeBalanceTransaction",
    "StripeEvent",
    "TransactionEventReport",
]
