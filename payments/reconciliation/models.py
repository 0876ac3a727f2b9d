"""Stripe balance transactions as imported, accounting periods, and explanations of differences."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import F, Q


class StripeBalanceTransaction(models.Model):
    """One Stripe balance transaction (charge, refund, transfer, payout...), stored once by its id."""

    stripe_id = models.CharField(max_length=100)  # unique: payments_btx_stripe_id_uniq
    type = models.CharField(max_length=40)
    source = models.CharField(max_length=100, blank=True, help_text="ch_/re_/tr_/po_ id")
    order_ref = models.CharField(max_length=100, blank=True, help_text="resolved from the source's metadata")
    amount = models.BigIntegerField(help_text="gross, signed as Stripe reports it")
    fee = models.BigIntegerField(default=0)
    net = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    created = models.DateTimeField()  # a period's rows by a BRIN range (reconciliation)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Imported a million at a time: each index costs every row. A unique constraint rather than
        # unique=True, which on PostgreSQL adds a second (LIKE) index no query uses; `created` is read by
        # ranges of a period, which a BRIN index serves for a fraction of a B-tree's upkeep (rows arrive
        # roughly in time order, an import at a time).
        constraints = [models.UniqueConstraint(fields=["stripe_id"], name="payments_btx_stripe_id_uniq")]
        indexes = [
            models.Index(fields=["type", "order_ref"], name="stripe_btx_type_order_idx"),
            BrinIndex(fields=["created"], name="payments_btx_created_brin"),
        ]

    def __str__(self) -> str:
        return f"{self.stripe_id} {self.type} {self.amount} {self.currency}"


class AccountingPeriod(models.Model):
    """A month (or any [start, end) span) of the books; once closed nothing is posted into it (DB trigger)."""

    class Status(models.TextChoices):
        OPEN = "open"
        CLOSED = "closed"

    start = models.DateTimeField(unique=True)
    end = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="accounting_period_nonempty"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d}..{self.end:%Y-%m-%d} {self.status}"


class ClosedPeriodBalance(models.Model):
    """What one account moved in one closed period: written once, when the period closes, never changed.

    `amount` is the sum (debits minus credits) of the account's entries in that currency of every ledger
    transaction dated in [start, end) of the period and in no period closed before it. PostgreSQL
    (0015_closed_period_balances) refuses any change or deletion and checks, when the rows are written, that
    the period is closed and that they are exactly those sums (no account missing, none extra). Nothing can be
    posted into a closed period afterwards, so a balance is the sum of these rows plus the entries dated
    outside closed periods (payments.selectors); the audit recomputes them from the entries
    (`closed_balances_mismatched`).
    A period's movement rather than a running closing balance: an earlier period may still be open and be
    posted into, which would make a running balance stale.
    """

    period = models.ForeignKey(AccountingPeriod, on_delete=models.PROTECT, related_name="balances")
    account = models.ForeignKey("payments.Account", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField(help_text="debits minus credits of the account in the period")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "account", "currency"], name="payments_closed_balance_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_id} {self.account_id} {self.amount} {self.currency}"


class ClosedPeriodStatement(models.Model):
    """A party's statement figures in one closed period and currency: written once, when it closes.

    The same sums a statement makes of the period's split lines and entries (payments.selectors.
    period_figures), kept so that a closed period's statement reads one row per party instead of the
    period's lines. Append-only and written only by the closing transaction (as ClosedPeriodBalance); at
    commit PostgreSQL checks each party's `movement` against the period's closing balances of its accounts,
    and the audit recomputes every figure from the lines and entries (`closed_statements_mismatched`).
    """

    period = models.ForeignKey(AccountingPeriod, on_delete=models.PROTECT, related_name="statements")
    party = models.CharField(max_length=64)
    currency = models.CharField(max_length=3)
    sales = models.BigIntegerField()
    platform_funded = models.BigIntegerField()
    released = models.BigIntegerField()
    funded_on_lines = models.BigIntegerField()
    sales_net = models.BigIntegerField()
    refunds = models.BigIntegerField()
    payouts = models.BigIntegerField()
    fees_after = models.BigIntegerField()
    released_net = models.BigIntegerField()
    awards = models.BigIntegerField()
    movement = models.BigIntegerField()
    entered = models.BooleanField(help_text="the party has entries in the period, not only split lines")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "party", "currency"], name="payments_closed_statement_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_id} {self.party} {self.movement} {self.currency}"


class ReconciliationExplanation(models.Model):
    """Why a difference found in a period is acceptable; explained items no longer block closing."""

    period = models.ForeignKey(AccountingPeriod, on_delete=models.PROTECT, related_name="explanations")
    item_key = models.CharField(max_length=200)
    note = models.TextField()
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    explained_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "item_key"], name="reconciliation_explanation_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.item_key}: {self.note[:40]}"
