"""Settlement: propose batches per party and period, approve, execute (Stripe transfers or bank file).

Four eyes: the user who executes a batch is never the one who approved it (checked here and by a
database constraint). Idempotent: a batch is unique per party and period end, a Stripe transfer per
batch and order (with an idempotency key sent to Stripe), and a payout posting per batch.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from core import clock
from payments.ledger_services import payout_post
from payments.models import Account, SettlementBatch, SettlementTransfer, StripeBalanceTransaction
from payments.settlement import selectors
from payments.settlement.audit import audit_record
from payments.settlement.error_codes import SettlementError, SettlementErrorCode
from payments.settlement.periods import at_midnight, period_before
from payments.settlement.stripe_transfers import transfer_create

S = SettlementBatch.Status
CARRIED_REF = "carried-forward"


def settlement_run(
    *, period_start: date, period_end: date, actor, currency: str | None = None, now: datetime | None = None
) -> list[SettlementBatch]:
    """Propose one batch per party for the period; running again returns the same batches (no double pay).

    Lines posted within the return window before the period's end are held back for the next batch.
    """
    if period_end <= period_start:
        raise SettlementError(SettlementErrorCode.BAD_PERIOD, "the period must end after it starts")
    currency = currency or settings.SETTLEMENT_CURRENCY
    window = timedelta(days=settings.SETTLEMENT_RETURN_WINDOW_DAYS)
    cutoff = min(at_midnight(period_end), now or clock.now()) - window
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
    previous = selectors.last_batch(party=party, currency=currency)  # rejected batches are skipped
    if previous is not None and previous.status in (S.PROPOSED, S.APPROVED):
        return None  # the open batch must be executed first; its lines are not proposed twice
    lines_from = previous.cutoff if previous else None
    if lines_from is not None and cutoff <= lines_from:
        return None
    nets = selectors.window_order_nets(party=party, currency=currency, lines_from=lines_from, cutoff=cutoff)
    amount = selectors.party_owed_at(party=party, currency=currency, cutoff=cutoff)
    window_total = sum(net for _, net in nets)
    if not nets and amount == 0:
        return None
    method, account = selectors.payee_method(party)
    try:
        with transaction.atomic():
            batch = SettlementBatch.objects.create(
                party=party,
                currency=currency,
                period_start=period_start,
                period_end=period_end,
                lines_from=lines_from,
                cutoff=cutoff,
                window_total=window_total,
                amount=amount,
                method=method,
                stripe_account_id=account,
                status=S.PROPOSED if amount > 0 else S.CARRIED,
                created_by=actor,
            )
            audit_record(
                actor=actor,
                action="settlement.proposed" if amount > 0 else "settlement.carried",
                subject=batch.ref,
                party=party,
                amount=amount,
                currency=currency,
                window_total=window_total,
            )
    except IntegrityError:  # a concurrent run proposed it first
        return SettlementBatch.objects.filter(party=party, currency=currency, period_end=period_end).first()
    return batch


def settlement_approve(*, batch_id: int, actor) -> SettlementBatch:
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
    nets = selectors.window_order_nets(
        party=batch.party, currency=batch.currency, lines_from=batch.lines_from, cutoff=batch.cutoff
    )
    carried = batch.amount - batch.window_total
    if carried:
        nets.append((CARRIED_REF, carried))
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


def settlement_execute(*, batch_id: int, actor) -> SettlementBatch:
    """Pay an approved batch: Stripe transfers per order, or issue the bank file; then post the payout."""
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
        if batch.method == SettlementBatch.Method.BANK:
            selectors.bank_payee_check(batch.party)  # no bank file row without an account to pay
        elif not batch.transfers.exists() and selectors.payee_method(batch.party) != (
            batch.method,
            batch.stripe_account_id,
        ):
            # The payee changed since the proposal (e.g. a unit's share once proposed to its entity's
            # Stripe account): never transfer to an account that is no longer the party's.
            raise SettlementError(
                SettlementErrorCode.STALE,
                f"{batch.party} is no longer paid to {batch.stripe_account_id}: reject this batch and"
                " propose again",
            )
        owed = selectors.party_owed_at(party=batch.party, currency=batch.currency, cutoff=batch.cutoff)
        if owed != batch.amount and not batch.transfers.exists():
            raise SettlementError(
                SettlementErrorCode.STALE,
                f"the ledger changed since this batch was proposed (owed now {owed}, batch {batch.amount}):"
                " reject it and propose again",
            )
        if batch.method == SettlementBatch.Method.STRIPE:
            charges = dict(
                StripeBalanceTransaction.objects.filter(type="charge")
                .filter(order_ref__in=[o for o, _ in transfer_plan(batch)])
                .values_list("order_ref", "source")
            )
            for order, amount in transfer_plan(batch):
                SettlementTransfer.objects.get_or_create(
                    batch=batch,
                    order_ref=order,
                    defaults={
                        "amount": amount,
                        "source_transaction": charges.get(order, ""),
                        "idempotency_key": f"transfer:{batch.pk}:{order}",
                    },
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
        audit_record(actor=actor, action="settlement.rejected", subject=batch.ref, party=batch.party)
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
