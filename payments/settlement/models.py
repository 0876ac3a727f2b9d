"""Settlement batches, their Stripe transfers and the finance audit trail."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.utils.translation import pgettext_lazy

from saleor_app import secrets_at_rest


class SettlementBatch(models.Model):
    """What one party is paid for one period: exactly the split lines (and carried amounts) frozen in its
    items at proposal, to the payee account frozen with it.

    `amount` is the sum of its items (a database check at commit): its lines posted up to `cutoff` that no
    other live batch holds, plus what an earlier batch carried (a negative total is carried, never paid).
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("settlement batch", "Proposed")
        APPROVED = "approved", pgettext_lazy("settlement batch", "Approved")
        EXECUTED = (
            "executed",
            pgettext_lazy("settlement batch", "executed (transfers sent or bank file issued)"),
        )
        PAID = "paid", pgettext_lazy("settlement batch", "paid (bank confirmed)")
        CARRIED = "carried", pgettext_lazy("settlement batch", "nothing to pay: carried forward")
        REJECTED = "rejected", pgettext_lazy("settlement batch", "rejected (propose again)")

    class Method(models.TextChoices):
        BANK = "bank", pgettext_lazy("settlement method", "Bank")
        STRIPE = "stripe", pgettext_lazy("settlement method", "Stripe")

    party = models.CharField(max_length=64)
    currency = models.CharField(max_length=3)
    period_start = models.DateField()
    period_end = models.DateField(help_text="exclusive")
    cutoff = models.DateTimeField(help_text="lines posted up to here (inclusive) and in no other batch")
    window_total = models.BigIntegerField(help_text="net of the batch's split lines (its line items)")
    amount = models.BigIntegerField(help_text="to pay: every item, its lines plus what was carried in")
    method = models.CharField(max_length=8, choices=Method.choices)
    # The payee as it was when the batch was proposed: the approval covers this account, the bank file
    # pays it, and execution is refused when the party's account on record is no longer this one.
    stripe_account_id = models.CharField(max_length=64, blank=True)
    payee_name = models.CharField(max_length=200, blank=True)
    payee_bank_name = models.CharField(max_length=100, blank=True)
    payee_bank_account_encrypted = models.TextField(blank=True, help_text="encrypted at rest")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Execution runs in the worker: who asked and when (the page shows progress from the batch's transfers),
    # and why the last attempt stopped, so the page offers to execute again (transfers are never repeated).
    execution_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    execution_requested_at = models.DateTimeField(null=True, blank=True)
    execution_error = models.TextField(blank=True)
    ledger_transaction = models.OneToOneField(
        "payments.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["party", "currency", "period_end"],
                condition=~Q(status="rejected"),
                name="settlement_batch_party_period_uniq",
            ),
            # one batch awaiting approval or execution per party: the next run waits for it
            models.UniqueConstraint(
                fields=["party", "currency"],
                condition=Q(status__in=["proposed", "approved"]),
                name="settlement_batch_one_open_per_party",
            ),
            # four eyes: who executes a payout is never who approved it
            models.CheckConstraint(
                condition=Q(executed_by__isnull=True) | ~Q(executed_by=F("approved_by")),
                name="settlement_batch_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(execution_requested_by__isnull=True)
                | ~Q(execution_requested_by=F("approved_by")),
                name="settlement_batch_four_eyes_request",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "carried", "rejected"]) | Q(approved_by__isnull=False),
                name="settlement_batch_approved_before_execution",
            ),
        ]
        indexes = [models.Index(fields=["party", "currency", "cutoff"], name="settlement_batch_party_idx")]

    def __str__(self) -> str:
        return f"{self.party} {self.period_start}..{self.period_end} {self.amount} {self.currency}"

    @property
    def ref(self) -> str:
        return f"settlement:{self.pk}"

    payee_bank_account = secrets_at_rest.encrypted("payee_bank_account_encrypted")

    @property
    def carried_in(self) -> int:
        return self.amount - self.window_total


class SettlementBatchItem(models.Model):
    """One split line, or one carried batch's amount, that a batch pays: its membership, frozen at proposal.

    A line (or a carried amount) is in at most one live batch (unique while `live`); rejecting a batch
    releases its items. PostgreSQL refuses items whose amount is not the line's net or the carried
    batch's amount, items added to a batch past proposal, and any other change
    (0008_settlement_items_and_payee_snapshot).
    """

    batch = models.ForeignKey(SettlementBatch, on_delete=models.PROTECT, related_name="items")
    split_line = models.ForeignKey(
        "payments.SplitLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    carried_from = models.ForeignKey(
        SettlementBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.BigIntegerField(help_text="the line's net (share less fee borne) or the carried amount")
    live = models.BooleanField(default=True, help_text="false once its batch is rejected")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(split_line__isnull=False) & Q(carried_from__isnull=True))
                | (Q(split_line__isnull=True) & Q(carried_from__isnull=False)),
                name="settlement_item_line_or_carry",
            ),
            models.UniqueConstraint(
                fields=["split_line"], condition=Q(live=True), name="settlement_item_line_once"
            ),
            models.UniqueConstraint(
                fields=["carried_from"], condition=Q(live=True), name="settlement_item_carry_once"
            ),
        ]

    def __str__(self) -> str:
        what = f"line {self.split_line_id}" if self.split_line_id else f"carried from {self.carried_from_id}"
        return f"batch {self.batch_id}: {what} {self.amount}"


class SettlementTransfer(models.Model):
    """One Stripe transfer of a batch: the batch's amount for one order, to the party's connected account."""

    batch = models.ForeignKey(SettlementBatch, on_delete=models.PROTECT, related_name="transfers")
    order_ref = models.CharField(max_length=100)
    amount = models.BigIntegerField()
    source_transaction = models.CharField(
        max_length=100, blank=True, help_text="the order's charge, if known"
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    stripe_transfer_id = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "order_ref"], name="settlement_transfer_order_uniq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="settlement_transfer_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_ref} {self.amount} ({self.stripe_transfer_id or 'not sent'})"


class FinanceAuditEvent(models.Model):
    """Every money action (batch, approval, payout, file, import, explanation, period close): append-only."""

    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    subject = models.CharField(max_length=100, help_text="e.g. settlement:12, period:2026-11")
    party = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["party", "at"], name="finance_audit_party_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject}"


def _exports_storage():
    """Statements are private: kept where originals are (no public URL), served only by the download view."""
    return storages["private"]


class StatementExport(models.Model):
    """A statement export of one party and period built by the worker (a big one is never built inside a
    request): who asked, what, its progress, and the file, which only people who may see the party's
    statement download (the view checks the party each time, not the asker)."""

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("export", "Waiting for the worker")
        RUNNING = "running", pgettext_lazy("export", "Preparing")
        DONE = "done", pgettext_lazy("export", "Ready")
        FAILED = "failed", pgettext_lazy("export", "Stopped")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    party = models.CharField(max_length=64)
    currency = models.CharField(max_length=3)
    period_start = models.DateField()
    period_end = models.DateField(help_text="exclusive")
    fmt = models.CharField(max_length=4, choices=Format.choices)
    lines = models.BooleanField(default=True, help_text="the order lines (else the statement's one row)")
    language = models.CharField(max_length=16, blank=True)  # the asker's: headers and texts in it
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    # progress: each order line is read, then written (the statement's own row counts as one line)
    total = models.PositiveIntegerField(default=0)  # lines to export (counted when a run starts)
    read = models.PositiveIntegerField(default=0)
    written = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=_exports_storage, upload_to="statement-exports/", blank=True)
    filename = models.CharField(max_length=200, blank=True)  # the name the download gets
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)  # why the last run stopped
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["party", "requested_at"], name="statement_export_party_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="statement_export_period"
            ),
            models.CheckConstraint(
                condition=Q(read__lte=F("total"), written__lte=F("total")), name="statement_export_progress"
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.uid} of {self.party} {self.period_start}..{self.period_end} ({self.state})"

    @property
    def percent(self) -> int:
        if not self.total:  # not counted yet (queued), or nothing to write
            return 100 if self.state == self.State.DONE else 0
        return min(100, (self.read + self.written) * 50 // self.total)

    @property
    def last_day(self):
        return self.period_end - timedelta(days=1)

    @property
    def running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)
