"""Settlement batches: hold-back, carry-forward, Stripe transfers, bank file, four eyes, idempotency."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, transaction

from payments.error_codes import SettlementError, SettlementErrorCode
from payments.models import Account, FinanceAuditEvent, LedgerTransaction, SettlementBatch
from payments.reconciliation.services import balance_transactions_import
from payments.selectors import account_balances
from payments.settlement import selectors, services
from payments.settlement.exports import BANK_FILE_HEADER, bank_file_rows, csv_bytes, xlsx_bytes
from tests.payments.settlement.conftest import at, pay, refund

pytestmark = pytest.mark.django_db

NOV = (date(2026, 11, 1), date(2026, 12, 1))
DEC = (date(2026, 12, 1), date(2027, 1, 1))


def _run(actor, period=NOV, now=None):
    return {
        b.party: b
        for b in services.settlement_run(period_start=period[0], period_end=period[1], actor=actor, now=now)
    }


def _payable(party):
    return -account_balances().get((Account.Kind.PARTY_PAYABLE, party, "CNY"), 0)


def test_a_month_with_refunds_settles_to_the_ledger_balance_holding_back_the_return_window(
    parties, finance_users, connect
):
    # given a month of orders for a Stripe-paid and a bank-paid party, with refunds; window 7 days
    maker, checker = finance_users
    pay("o1", parties["stripe"], 10_000, at(3), fee=300)
    pay("o2", parties["stripe"], 20_000, at(10))
    refund("o2", 5_000, at(12))
    pay("o3", parties["stripe"], 8_000, at(28))  # inside the return window at the month's end: held back
    pay("o4", parties["bank"], 30_000, at(5))
    refund("o4", 30_000, at(6))
    pay("o5", parties["bank"], 12_345, at(20))

    # when the month is settled
    batches = _run(maker)

    # then each batch pays what the ledger owed at the cutoff (24 Nov), net of fees borne, refunds deducted
    s, b = batches[parties["stripe"]], batches[parties["bank"]]
    assert s.amount == (9_000 - 270) + (18_000 - 4_500)
    assert b.amount == 11_111  # 90% of 12,345, largest remainder
    assert s.window_total == s.amount and b.window_total == b.amount
    assert s.method == "stripe" and s.stripe_account_id == "acct_1A" and b.method == "bank"
    assert "platform" not in batches

    # and Stripe's charge of o1 is known from its balance history
    balance_transactions_import(
        rows=[
            {
                "id": "txn_o1",
                "type": "charge",
                "source": "ch_o1",
                "order_ref": "o1",
                "amount": 10_000,
                "fee": 300,
                "net": 9_700,
                "currency": "cny",
                "created": int(at(3).timestamp()),
            }
        ]
    )

    # when one user approves and another executes
    for batch in (s, b):
        services.settlement_approve(batch_id=batch.pk, actor=maker)
        services.settlement_execute(batch_id=batch.pk, actor=checker)

    # then Stripe got one transfer per order, grouped by order, with idempotency keys
    assert sorted((t["transfer_group"], t["amount"]) for t in connect.transfers) == [
        ("o1", 8_730),
        ("o2", 13_500),
    ]
    assert all(key.startswith(f"transfer:{s.pk}:") for _path, _form, key in connect.requests)
    assert {t["destination"] for t in connect.transfers} == {"acct_1A"}
    assert {t["transfer_group"]: t["source_transaction"] for t in connect.transfers} == {
        "o1": "ch_o1",
        "o2": None,
    }
    # and each payout posted: only the held-back order is still payable
    assert _payable(parties["stripe"]) == 7_200
    assert _payable(parties["bank"]) == 0
    payouts = LedgerTransaction.objects.filter(kind="payout")
    assert payouts.count() == 2
    assert -account_balances()[(Account.Kind.BANK_CLEARING, "", "CNY")] == 11_111

    # and the bank file lists the bank batch
    rows = bank_file_rows([SettlementBatch.objects.get(pk=b.pk)])
    assert rows[0][1:8] == (
        parties["bank"],
        "某某图书馆",
        "中国银行",
        "6217000012345678",
        11_111,
        "111.11",
        "CNY",
    )
    assert b"6217000012345678" in csv_bytes(BANK_FILE_HEADER, rows)
    assert xlsx_bytes(BANK_FILE_HEADER, rows)[:2] == b"PK"

    # when the month is settled again and the batches executed again
    again = _run(maker)
    for batch in again.values():
        services.settlement_execute(batch_id=batch.pk, actor=checker)

    # then nothing is paid twice
    assert {p: x.pk for p, x in again.items()} == {p: x.pk for p, x in batches.items()}
    assert len(connect.requests) == 2
    assert LedgerTransaction.objects.filter(kind="payout").count() == 2

    # and the held-back order is paid in December's batch, which holds exactly its line
    dec = _run(maker, DEC, now=at(2, 1, year=2027))
    assert dec[parties["stripe"]].amount == 7_200
    assert [(ln["order_ref"], ln["net"]) for ln in selectors.batch_lines(dec[parties["stripe"]])] == [
        ("o3", 7_200)
    ]


def test_a_refund_after_payout_is_carried_forward_then_offset(parties, finance_users, connect):
    # given a paid-out order, then a full refund of it next month
    maker, checker = finance_users
    party = parties["bank"]
    pay("o1", party, 10_000, at(2))
    batch = _run(maker)[party]
    services.settlement_approve(batch_id=batch.pk, actor=maker)
    services.settlement_execute(batch_id=batch.pk, actor=checker)
    refund("o1", 10_000, at(3, 12))

    # when December is settled
    dec = _run(maker, DEC, now=at(2, 1, year=2027))[party]

    # then the debt is carried forward, not paid
    assert dec.amount == -9_000 and dec.status == "carried"

    # when a new sale comes in January
    pay("o2", party, 20_000, at(5, 1, year=2027))
    jan = services.settlement_run(
        period_start=date(2027, 1, 1), period_end=date(2027, 2, 1), actor=maker, now=at(28, 2, year=2027)
    )
    batch = next(b for b in jan if b.party == party)

    # then the debt is offset: the batch takes over what December carried
    assert batch.amount == 18_000 - 9_000
    assert batch.window_total == 18_000
    assert [(c.carried_from_id, c.amount) for c in selectors.batch_carries(batch)] == [(dec.pk, -9_000)]


def test_stripe_transfers_offset_refunds_and_debts_against_orders(parties, finance_users, connect):
    # given a Stripe party with an order, a refund of another order and a carried debt
    maker, _checker = finance_users
    party = parties["stripe"]
    pay("o1", party, 10_000, at(2))
    pay("o2", party, 10_000, at(3))
    refund("o1", 4_000, at(4))
    batch = _run(maker)[party]

    # then the transfers are positive, one per order, and add up to the batch
    plan = services.transfer_plan(batch)
    assert plan == [("o1", 9_000 - 3_600), ("o2", 9_000)]
    assert sum(a for _, a in plan) == batch.amount == 14_400
    assert all(a > 0 for _, a in plan)


def test_four_eyes_the_approver_cannot_execute(parties, finance_users, connect):
    # given an approved batch
    maker, _checker = finance_users
    pay("o1", parties["bank"], 10_000, at(2))
    batch = _run(maker)[parties["bank"]]
    services.settlement_approve(batch_id=batch.pk, actor=maker)

    # when its approver executes it, the service refuses
    with pytest.raises(SettlementError) as refused:
        services.settlement_execute(batch_id=batch.pk, actor=maker)
    assert refused.value.code == SettlementErrorCode.FOUR_EYES
    assert not LedgerTransaction.objects.filter(kind="payout").exists()

    # and so does the database, whatever the code
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementBatch.objects.filter(pk=batch.pk).update(status="executed", executed_by=maker)


def test_a_batch_is_executed_only_after_approval(parties, finance_users, connect):
    maker, checker = finance_users
    pay("o1", parties["bank"], 10_000, at(2))
    batch = _run(maker)[parties["bank"]]
    with pytest.raises(SettlementError) as refused:
        services.settlement_execute(batch_id=batch.pk, actor=checker)
    assert refused.value.code == SettlementErrorCode.NOT_APPROVED


def test_a_failed_transfer_is_retried_with_the_same_key_and_paid_once(parties, finance_users, connect):
    # given an approved Stripe batch of two orders, and Stripe failing on the second transfer
    maker, checker = finance_users
    pay("o1", parties["stripe"], 10_000, at(2))
    pay("o2", parties["stripe"], 10_000, at(3))
    batch = _run(maker)[parties["stripe"]]
    services.settlement_approve(batch_id=batch.pk, actor=maker)
    connect.decline = {2: "Insufficient funds in the platform's balance"}
    with pytest.raises(SettlementError) as refused:
        services.settlement_execute(batch_id=batch.pk, actor=checker)
    assert refused.value.code == SettlementErrorCode.STRIPE_FAILED
    assert not LedgerTransaction.objects.filter(kind="payout").exists()

    # when executed again
    services.settlement_execute(batch_id=batch.pk, actor=checker)

    # then each order was transferred once (only the declined one was sent again) and the payout posted once
    assert sorted(t["transfer_group"] for t in connect.transfers) == ["o1", "o2"]
    assert [form["transfer_group"] for _path, form, _key in connect.requests] == ["o1", "o2", "o2"]
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    assert SettlementBatch.objects.get(pk=batch.pk).status == "executed"


def test_bank_batches_are_marked_paid_after_the_file_and_every_action_is_audited(
    parties, finance_users, connect
):
    maker, checker = finance_users
    pay("o1", parties["bank"], 10_000, at(2))
    batch = _run(maker)[parties["bank"]]
    with pytest.raises(SettlementError):
        services.settlement_mark_paid(batch_id=batch.pk, actor=checker)
    services.settlement_approve(batch_id=batch.pk, actor=maker)
    services.settlement_execute(batch_id=batch.pk, actor=checker)
    services.settlement_mark_paid(batch_id=batch.pk, actor=maker)
    assert SettlementBatch.objects.get(pk=batch.pk).status == "paid"
    assert list(
        FinanceAuditEvent.objects.filter(subject=batch.ref).order_by("id").values_list("action", flat=True)
    ) == ["settlement.proposed", "settlement.approved", "settlement.executed", "settlement.marked_paid"]
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - the trigger's error
        FinanceAuditEvent.objects.filter(subject=batch.ref).delete()


def test_a_back_dated_refund_after_approval_is_not_in_the_approved_batch_but_in_the_next(
    parties, finance_users, connect
):
    # given an approved batch, then a refund dated before its cutoff (a late, back-dated posting)
    maker, checker = finance_users
    pay("o1", parties["bank"], 10_000, at(2))
    batch = _run(maker)[parties["bank"]]
    services.settlement_approve(batch_id=batch.pk, actor=maker)
    refund("o1", 2_000, at(5))

    # when it is executed, it pays exactly the lines it was approved for
    executed = services.settlement_execute(batch_id=batch.pk, actor=checker)
    assert (executed.status, executed.amount) == ("executed", 9_000)
    assert [ln["kind"] for ln in selectors.batch_lines(executed)] == ["payment"]

    # and the refund is deducted in the party's next batch, carried forward as it is negative
    dec = _run(maker, DEC, now=at(2, 1, year=2027))[parties["bank"]]
    assert (dec.status, dec.amount) == ("carried", -1_800)
    assert [(ln["order_ref"], ln["kind"], ln["net"]) for ln in selectors.batch_lines(dec)] == [
        ("o1", "refund", -1_800)
    ]


def test_a_rejected_batch_releases_its_lines_to_the_batch_proposed_again(parties, finance_users):
    # given a proposed batch
    maker, _checker = finance_users
    pay("o1", parties["bank"], 10_000, at(2))
    batch = _run(maker)[parties["bank"]]

    # when it is rejected and the period proposed again
    services.settlement_reject(batch_id=batch.pk, actor=maker)
    again = _run(maker)[parties["bank"]]

    # then the new batch holds the same lines, and the rejected one holds none any more
    assert again.pk != batch.pk and again.amount == 9_000
    assert [ln["order_ref"] for ln in selectors.batch_lines(again)] == ["o1"]
    assert not batch.items.filter(live=True).exists()


def test_a_period_starts_and_ends_at_midnight_in_asia_shanghai(parties, finance_users, settings):
    # given no return window, a sale at 23:30 on 30 November and one at 00:30 on 1 December (Beijing time),
    # both on 30 November in UTC
    settings.SETTLEMENT_RETURN_WINDOW_DAYS = 0
    party = parties["bank"]
    pay("late-nov", party, 10_000, datetime(2026, 11, 30, 15, 30, tzinfo=UTC))
    pay("early-dec", party, 20_000, datetime(2026, 11, 30, 16, 30, tzinfo=UTC))

    # when November, then December, is settled after each has ended
    nov = _run(finance_users[0], NOV, now=datetime(2026, 12, 2, tzinfo=UTC))[party]
    services.settlement_approve(batch_id=nov.pk, actor=finance_users[0])
    services.settlement_execute(batch_id=nov.pk, actor=finance_users[1])
    dec = _run(finance_users[0], DEC, now=datetime(2027, 1, 2, tzinfo=UTC))[party]

    # then each sale is in the month a person in China paid it
    assert (nov.amount, dec.amount) == (9_000, 18_000)
    assert nov.cutoff == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 1 December 00:00 in Asia/Shanghai
