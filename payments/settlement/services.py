"""Settlement: propose batches per party and period, approve, execute (Stripe transfers or bank file).

Four eyes: the user who executes a batch is never the one who approved it (checked here and by a
database constraint). Idempotent: a batch is unique per party and period end, a split line is in one
live batch (its items, frozen at proposal), a Stripe transfer per batch and order (with an idempotency
key sent to Stripe), and a payout posting per batch. A batch pays the payee frozen on it at proposal,
and only while that is still the party's payee on record.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import stripe
from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core import clock
from core.audit import audit_record
from payments.error_codes import SettlementError, SettlementErrorCode
from payments.ledger_services import payout_post
from payments.models import (
    Account,
    SettlementBatch,
    SettlementBatchItem,
    SettlementTransfer,
    StripeBalanceTransaction,
)
from payments.settlement import selectors, tasks
from payments.settlement.periods import at_midnight, period_before
from payments.settlement.stripe_transfers import transfer_create

S = SettlementBatch.Status
CARRIED_REF = "carried-forward"


def settlement_run(
    *, period_start: date, period_end: date, actor, currency: str | None = None, now: datetime | None = None
) -> list[SettlementBatch]:
    """Propose one batch per party for a period that has ended; running again returns the same batches.

    Each batch takes the party's lines posted up to the period's end less the return window that no live
    batch holds yet (later lines are held back for the next one), and any amount an earlier batch carried.
    A period that has not ended, or that overlaps another period already settled, is refused.
    """
    if period_end <= period_start:
        raise SettlementError(SettlementErrorCode.BAD_PERIOD, _("The period must end after it starts."))
    now = now or clock.now()
    if at_midnight(period_end) > now:
        raise SettlementError(
            SettlementErrorCode.PERIOD_NOT_ENDED,
            _(
                "The period %(start)s .. %(last)s has not ended yet (it ends at midnight on %(end)s, Beijing"
                " time): settle it once it has ended."
            )
            % {"start": period_start, "last": period_end - timedelta(days=1), "end": period_end},
        )
    currency = currency or settings.SETTLEMENT_CURRENCY
    window = timedelta(days=settings.SETTLEMENT_RETURN_WINDOW_DAYS)
    cutoff = at_midnight(period_end) - window
    with transaction.atomic():
        with connection.cursor() as cursor:  # one run at a time: the overlap check below stays true
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('payments.settlement_run'))")
        _overlap_check(period_start=period_start, period_end=period_end, currency=currency)
        batches = []
        for party in selectors.payable_parties(currency=currency):
            batch = _batch_propose(
                party=party,
                currency=currency,
                period_start=period_start,
                period_end=period_end,
                cutoff=cutoff,
                actor=actor,
            )
            if batch is not None:
                batches.append(batch)
    return batches


def _overlap_check(*, period_start: date, period_end: date, currency: str) -> None:
    """Refuse a period that overlaps another one already settled (the same period is proposed once)."""
    other = (
        SettlementBatch.objects.filter(
            currency=currency, period_start__lt=period_end, period_end__gt=period_start
        )
        .exclude(status=S.REJECTED)
        .exclude(period_start=period_start, period_end=period_end)
        .order_by("period_start", "pk")
        .first()
    )
    if other is not None:
        raise SettlementError(
            SettlementErrorCode.PERIOD_OVERLAP,
            _(
                "The period %(start)s .. %(last)s overlaps the period %(other_start)s .. %(other_last)s"
                " already settled for %(party)s (batch %(batch)s): settle periods that follow each other,"
                " or reject that batch first."
            )
            % {
                "start": period_start,
                "last": period_end - timedelta(days=1),
                "other_start": other.period_start,
                "other_last": other.period_end - timedelta(days=1),
                "party": other.party,
                "batch": other.pk,
            },
        )


def settlement_run_closed_period(
    *, actor, today: date, kind: str | None = None
) -> tuple[date, date, list[SettlementBatch]]:
    """Propose the batches of the last weekly or monthly period closed before `today` (as settlement_run)."""
    start, end = period_before(today, kind or settings.SETTLEMENT_PERIOD)
    return start, end, settlement_run(period_start=start, period_end=end, actor=actor)


def _batch_propose(
    *, party: str, currency: str, period_start: date, period_end: date, cutoff: datetime, actor
) -> SettlementBatch | None:
    existing = (
        SettlementBatch.objects.filter(party=party, currency=currency, period_end=period_end)
        .exclude(status=S.REJECTED)
        .first()
    )
    if existing is not None:
        return existing
    if SettlementBatch.objects.filter(
        party=party, currency=currency, status__in=(S.PROPOSED, S.APPROVED)
    ).exists():
        return None  # the open batch must be executed first; the lines wait for the party's next batch
    lines = selectors.unbatched_lines(party=party, currency=currency, cutoff=cutoff)
    carries = selectors.uncarried(party=party, currency=currency)
    if not lines and not carries:
        return None
    window_total = sum(net for _, _, net in lines)
    amount = window_total + sum(amount for _, amount in carries)
    payee = selectors.payee_of(party) or selectors.Payee("", "", "")
    method, account = selectors.payee_method(payee)
    with transaction.atomic():
        batch = SettlementBatch.objects.create(
            party=party,
            currency=currency,
            period_start=period_start,
            period_end=period_end,
            cutoff=cutoff,
            window_total=window_total,
            amount=amount,
            method=method,
            stripe_account_id=account,
            payee_name=payee.name,
            payee_bank_name=payee.bank_name,
            payee_bank_account=payee.bank_account,
            status=S.PROPOSED if amount > 0 else S.CARRIED,
            created_by=actor,
        )
        SettlementBatchItem.objects.bulk_create(
            [SettlementBatchItem(batch=batch, split_line_id=pk, amount=net) for pk, _, net in lines]
            + [SettlementBatchItem(batch=batch, carried_from_id=pk, amount=amt) for pk, amt in carries],
            batch_size=2000,
        )
        audit_record(
            actor=actor,
            action="settlement.proposed" if amount > 0 else "settlement.carried",
            subject=batch.ref,
            party=party,
            amount=amount,
            currency=currency,
            window_total=window_total,
            lines=len(lines),
            carried_from=[pk for pk, _ in carries],
            payee=selectors.masked(payee),
        )
    return batch


def _payee_stale_check(batch: SettlementBatch, *, actor, step: str) -> None:
    """Refuse (and record) a batch whose party is no longer paid to the account it was proposed for."""
    if not selectors.payee_changed(batch):
        return
    before = selectors.masked(selectors.batch_payee(batch))
    now = selectors.masked(selectors.payee_of(batch.party))
    with transaction.atomic():  # the refusal is in the audit trail, whatever the caller does next
        audit_record(
            actor=actor,
            action="settlement.refused_stale_payee",
            subject=batch.ref,
            party=batch.party,
            amount=batch.amount,
            method=batch.method,
            step=step,
            proposed_for=before,
            on_record=now,
        )
    raise SettlementError(
        SettlementErrorCode.STALE,
        _(
            "The payee of %(party)s changed since batch %(batch)s was proposed (proposed for %(before)s, on"
            " record now %(now)s): it is never paid to an account nobody approved. Reject it and propose"
            " it again."
        )
        % {"party": batch.party, "batch": batch.pk, "before": before, "now": now},
    )


def settlement_approve(*, batch_id: int, actor) -> SettlementBatch:
    """Approve a proposed batch for the payee frozen on it; refused when the party's payee changed since."""
    batch = SettlementBatch.objects.get(pk=batch_id)
    if batch.status == S.PROPOSED:
        _payee_stale_check(batch, actor=actor, step="approval")
    with transaction.atomic():
        batch = SettlementBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != S.PROPOSED:
            raise SettlementError(SettlementErrorCode.NOT_PROPOSED, f"batch {batch_id} is {batch.status}")
        batch.status = S.APPROVED
        batch.approved_by = actor
        batch.approved_at = clock.now()
        batch.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(actor=actor, action="settlement.approved", subject=batch.ref, party=batch.party)
    return batch


def transfer_plan(batch: SettlementBatch) -> list[tuple[str, int]]:
    """(order, amount) transfers summing to the batch amount: refunds and carried debts offset the
    earliest orders, so every transfer is positive and grouped by order."""
    nets = selectors.batch_order_nets(batch)
    if batch.carried_in:
        nets.append((CARRIED_REF, batch.carried_in))
    deficit = -sum(net for _, net in nets if net < 0)
    plan = []
    for order, net in nets:
        if net <= 0:
            continue
        offset = min(net, deficit)
        deficit -= offset
        if net - offset:
            plan.append((order, net - offset))
    return plan


def settlement_execute_request(*, batch_id: int, actor) -> SettlementBatch:
    """Ask the worker to execute an approved batch: the checks of execution run now, so a refusal is
    shown at once; the page then follows the transfers as they are sent. Asking again resumes safely."""
    batch = SettlementBatch.objects.get(pk=batch_id)
    _execution_request_check(batch, actor=actor)
    if batch.status == S.APPROVED and not batch.transfers.exists():
        # outside the transaction below: a refusal stays in the audit trail
        _payee_stale_check(batch, actor=actor, step="execution")
    with transaction.atomic():
        batch = SettlementBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status in (S.EXECUTED, S.PAID):
            return batch
        _execution_request_check(batch, actor=actor)
        batch.execution_requested_by = actor
        batch.execution_requested_at = clock.now()
        batch.execution_error = ""
        batch.save(update_fields=["execution_requested_by", "execution_requested_at", "execution_error"])
        audit_record(
            actor=actor, action="settlement.execution_requested", subject=batch.ref, party=batch.party
        )
        transaction.on_commit(lambda: tasks.settlement_execute_job.delay(batch_id, actor.pk), robust=True)
    return batch


def _execution_request_check(batch: SettlementBatch, *, actor) -> None:
    """Only an approved batch, by someone other than its approver (an executed one: nothing to do)."""
    if batch.status in (S.EXECUTED, S.PAID):
        return
    if batch.status != S.APPROVED:
        raise SettlementError(
            SettlementErrorCode.NOT_APPROVED, _("Batch %(n)d is not approved.") % {"n": batch.pk}
        )
    if batch.approved_by_id == actor.pk:
        raise SettlementError(
            SettlementErrorCode.FOUR_EYES,
            _("A batch is executed by someone other than the person who approved it."),
        )


def settlement_execute_job(*, batch_id: int, actor) -> SettlementBatch:
    """The worker's side of `settlement_execute_request`: execute, or keep why it stopped for the page."""
    try:
        return settlement_execute(batch_id=batch_id, actor=actor)
    except SettlementError as exc:
        SettlementBatch.objects.filter(pk=batch_id).update(execution_error=str(exc))
        raise
    except Exception as exc:  # a crash must not leave the page saying "running" for ever
        SettlementBatch.objects.filter(pk=batch_id).update(
            execution_error=_(
                "The execution stopped unexpectedly (%(error)s). Execute again: transfers already made are"
                " not repeated."
            )
            % {"error": type(exc).__name__}
        )
        raise


def settlement_execute(*, batch_id: int, actor) -> SettlementBatch:
    """Pay an approved batch to the payee frozen on it: Stripe transfers per order, or the bank file;
    then post the payout. Refused when the party's payee changed since the batch was proposed."""
    with transaction.atomic():
        batch = SettlementBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == S.EXECUTED or batch.status == S.PAID:
            return batch  # executing twice pays nothing twice
        if batch.status != S.APPROVED:
            raise SettlementError(SettlementErrorCode.NOT_APPROVED, f"batch {batch_id} is not approved")
        if batch.approved_by_id == actor.pk:
            raise SettlementError(
                SettlementErrorCode.FOUR_EYES, "a batch is executed by someone other than its approver"
            )
        resuming = batch.transfers.exists()
    # A Stripe batch whose transfers were partly sent is finished to the account it was approved for
    # (it cannot be rejected any more); every other batch must still be payable to that account.
    if not resuming:
        _payee_stale_check(batch, actor=actor, step="execution")
    with transaction.atomic():
        batch = SettlementBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != S.APPROVED:
            return batch
        if batch.method == SettlementBatch.Method.BANK:
            selectors.bank_payee_check(batch)  # no bank file row without an account to pay
        elif not batch.transfers.exists():
            charges = dict(
                StripeBalanceTransaction.objects.filter(type="charge")
                .filter(order_ref__in=[o for o, _ in transfer_plan(batch)])
                .values_list("order_ref", "source")
            )
            SettlementTransfer.objects.bulk_create(
                SettlementTransfer(
                    batch=batch,
                    order_ref=order,
                    amount=amount,
                    source_transaction=charges.get(order, ""),
                    idempotency_key=f"transfer:{batch.pk}:{order}",
                )
                for order, amount in transfer_plan(batch)
            )
    if batch.method == SettlementBatch.Method.STRIPE:
        _transfers_send(batch)
    with transaction.atomic():
        batch = SettlementBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != S.APPROVED:
            return batch
        clearing = (
            Account.Kind.STRIPE_CLEARING
            if batch.method == SettlementBatch.Method.STRIPE
            else Account.Kind.BANK_CLEARING
        )
        posted = payout_post(
            idempotency_key=f"payout:{batch.pk}",
            party=batch.party,
            amount=batch.amount,
            currency=batch.currency,
            clearing=clearing,
            ref=batch.ref,
        )
        batch.status = S.EXECUTED
        batch.executed_by = actor
        batch.executed_at = clock.now()
        batch.ledger_transaction_id = posted.transaction_id
        batch.save(update_fields=["status", "executed_by", "executed_at", "ledger_transaction"])
        audit_record(
            actor=actor,
            action="settlement.executed",
            subject=batch.ref,
            party=batch.party,
            amount=batch.amount,
            method=batch.method,
            payee=selectors.masked(selectors.batch_payee(batch)),
            ledger_transaction=posted.transaction_id,
        )
    return batch


def _transfers_send(batch: SettlementBatch) -> None:
    """Send each transfer not yet confirmed; a retry resends with the same key, so Stripe pays once."""
    for transfer in batch.transfers.filter(stripe_transfer_id="").order_by("order_ref"):
        params = {
            "amount": transfer.amount,
            "currency": batch.currency.lower(),
            "destination": batch.stripe_account_id,
            "transfer_group": transfer.order_ref,
            "metadata": {"settlement_batch": str(batch.pk), "order_ref": transfer.order_ref},
        }
        if transfer.source_transaction:
            params["source_transaction"] = transfer.source_transaction
        try:
            result = transfer_create(params=params, idempotency_key=transfer.idempotency_key)
        except stripe.StripeError as exc:
            raise SettlementError(
                SettlementErrorCode.STRIPE_FAILED,
                f"Stripe refused the transfer for order {transfer.order_ref}: {exc.user_message or exc}."
                " Execute again to retry: transfers already made are not repeated.",
            ) from exc
        SettlementTransfer.objects.filter(pk=transfer.pk).update(stripe_transfer_id=result["id"])


def settlement_reject(*, batch_id: int, actor) -> SettlementBatch:
    """Drop a proposed or approved batch (e.g. stale figures); the period can then be proposed again."""
    with transaction.atomic():
        batch = SettlementBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status not in (S.PROPOSED, S.APPROVED) or batch.transfers.exists():
            raise SettlementError(SettlementErrorCode.NOT_PROPOSED, f"batch {batch_id} is {batch.status}")
        batch.status = S.REJECTED
        batch.save(update_fields=["status"])
        released = batch.items.filter(live=True).update(live=False)  # its lines can be proposed again
        audit_record(
            actor=actor, action="settlement.rejected", subject=batch.ref, party=batch.party, released=released
        )
    return batch


def settlement_mark_paid(*, batch_id: int, actor) -> SettlementBatch:
    """Finance confirms the bank paid an executed bank-file batch."""
    with transaction.atomic():
        batch = SettlementBatch.objects.select_for_update().get(pk=batch_id)
        if batch.method != SettlementBatch.Method.BANK:
            raise SettlementError(SettlementErrorCode.NOT_BANK, "only bank-file batches are marked paid")
        if batch.status == S.PAID:
            return batch
        if batch.status != S.EXECUTED:
            raise SettlementError(SettlementErrorCode.NOT_EXECUTED, "issue the bank file first")
        batch.status = S.PAID
        batch.paid_marked_by = actor
        batch.paid_at = clock.now()
        batch.save(update_fields=["status", "paid_marked_by", "paid_at"])
        audit_record(actor=actor, action="settlement.marked_paid", subject=batch.ref, party=batch.party)
    return batch
