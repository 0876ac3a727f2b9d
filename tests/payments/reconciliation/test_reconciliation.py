"""Reconciliation: differences flagged with what to do, fixed or explained, then the period closes."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from payments.error_codes import SettlementError, SettlementErrorCode
from payments.ledger_services import refund_post, transaction_reverse
from payments.models import AccountingPeriod, LedgerTransaction
from payments.reconciliation import services
from tests.payments.settlement.conftest import at, pay

pytestmark = pytest.mark.django_db


def _btx(stripe_id, type_, amount, order, when, fee=0, source=""):
    return {
        "id": stripe_id,
        "type": type_,
        "amount": amount,
        "fee": fee,
        "net": amount - fee,
        "currency": "cny",
        "created": int(when.timestamp()),
        "source": source or f"src_{stripe_id}",
        "order_ref": order,
    }


@pytest.fixture
def november():
    return services.period_open(start=at(1, 11, 0), end=at(1, 12, 0))


@pytest.fixture
def users():
    from tests.unit_onboarding.factories import UserFactory

    return UserFactory(), UserFactory()


def test_a_missing_fee_and_a_wrong_refund_are_flagged_then_fixed_or_explained_and_the_period_closes(
    parties, november, users
):
    # given the ledger: o1 posted without its fee, o2 refunded 5,000 where Stripe refunded 4,000
    finance, _ = users
    pay("o1", parties["bank"], 10_000, at(3))
    pay("o2", parties["bank"], 20_000, at(4), fee=500)
    refund_post(idempotency_key="refund:o2:1", order_ref="o2", currency="CNY", amount=5_000, posted_at=at(5))
    # and Stripe's balance transactions for the month (a payout to the platform's bank included)
    rows = [
        _btx("txn_1", "charge", 10_000, "o1", at(3), fee=300),
        _btx("txn_2", "charge", 20_000, "o2", at(4), fee=500),
        _btx("txn_3", "refund", -4_000, "o2", at(5)),
        _btx("txn_4", "payout", -25_000, "", at(20)),
    ]
    assert services.balance_transactions_import(rows=rows) == 4
    assert services.balance_transactions_import(rows=rows) == 0  # stored once

    # when the month is reconciled
    result = services.period_reconcile(period=november)

    # then exactly the two differences are open, each saying what to do
    assert [(i.key, i.stripe, i.ledger) for i in result.open_items] == [
        ("fee:o1", 300, 0),
        ("refund:o2", 4_000, 5_000),
    ]
    assert "reverse the wrong refund" in result.open_items[1].action
    # and the period cannot close
    with pytest.raises(SettlementError) as refused:
        services.period_close(period_id=november.pk, actor=finance)
    assert refused.value.code == SettlementErrorCode.PERIOD_NOT_RECONCILED

    # when the wrong refund is corrected and the fee difference explained
    wrong = LedgerTransaction.objects.get(idempotency_key="refund:o2:1")
    transaction_reverse(
        transaction_id=wrong.pk, idempotency_key="fix:o2:1", memo="wrong amount", posted_at=at(6)
    )
    refund_post(idempotency_key="refund:o2:2", order_ref="o2", currency="CNY", amount=4_000, posted_at=at(6))
    services.item_explain(
        period=november, item_key="fee:o1", note="fee booked by finance journal 11/30", actor=finance
    )

    # then everything matches or is explained, and the period closes
    result = services.period_reconcile(period=november)
    assert result.open_items == []
    assert [(i.key, i.status) for i in result.items] == [("fee:o1", "explained")]
    closed = services.period_close(period_id=november.pk, actor=finance)
    assert closed.status == "closed"


def test_a_closed_period_cannot_be_posted_into(parties, november, users):
    # given a closed November
    pay("o1", parties["bank"], 10_000, at(3))
    services.balance_transactions_import(rows=[_btx("txn_1", "charge", 10_000, "o1", at(3))])
    services.period_close(period_id=november.pk, actor=users[0])

    # when anything is posted dated inside it, PostgreSQL refuses
    with pytest.raises(IntegrityError, match="closed"), transaction.atomic():
        pay("o2", parties["bank"], 10_000, at(30, 11, 23))
    with pytest.raises(IntegrityError, match="closed"), transaction.atomic():
        refund_post(idempotency_key="refund:o1", order_ref="o1", currency="CNY", amount=100, posted_at=at(15))

    # and the period cannot be reopened
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountingPeriod.objects.filter(pk=november.pk).update(status="open")

    # while December is open
    pay("o3", parties["bank"], 10_000, at(1, 12, 0))
    assert LedgerTransaction.objects.filter(order_ref="o3").exists()


def test_a_missing_posting_and_an_unknown_charge_are_listed(parties, november):
    pay("o1", parties["bank"], 10_000, at(3))
    services.balance_transactions_import(rows=[_btx("txn_9", "charge", 7_000, "o9", at(3))])
    result = services.period_reconcile(period=november)
    assert [(i.key, i.stripe, i.ledger) for i in result.open_items] == [
        ("charge:o1", 0, 10_000),
        ("charge:o9", 7_000, 0),
    ]


def test_unreadable_imports_are_refused_with_a_message():
    with pytest.raises(SettlementError) as refused:
        services.balance_transactions_import(rows=[{"id": "txn_1"}])
    assert refused.value.code == SettlementErrorCode.BAD_IMPORT


def test_an_unreadable_row_stops_the_import_after_the_chunks_before_it_are_stored():
    from payments.models import StripeBalanceTransaction

    rows = [_btx(f"txn_{n}", "charge", 100 + n, f"o{n}", at(3)) for n in range(5)]
    # chunks of 2: txn_0-1 stored, txn_2-3 inserting while the bad row in the third chunk is read
    with pytest.raises(SettlementError) as refused:
        services.balance_transactions_import(rows=[*rows[:4], {"id": "txn_bad"}, rows[4]], chunk=2)
    assert refused.value.code == SettlementErrorCode.BAD_IMPORT
    assert sorted(StripeBalanceTransaction.objects.values_list("stripe_id", flat=True)) == [
        "txn_0",
        "txn_1",
        "txn_2",
        "txn_3",
    ]
    assert services.balance_transactions_import(rows=rows, chunk=2) == 1  # the file fixed: the rest, once


def test_stripe_transfers_match_their_batch_payout(parties, finance_users, connect):
    # given an executed Stripe batch of two orders
    from datetime import date, timedelta

    from django.utils import timezone

    from payments.models import SettlementTransfer
    from payments.settlement import services as settlement

    maker, checker = finance_users
    pay("o1", parties["stripe"], 10_000, at(2))
    pay("o2", parties["stripe"], 5_000, at(3))
    (batch,) = [
        b
        for b in settlement.settlement_run(
            period_start=date(2026, 11, 1), period_end=date(2026, 12, 1), actor=maker
        )
        if b.party == parties["stripe"]
    ]
    settlement.settlement_approve(batch_id=batch.pk, actor=maker)
    settlement.settlement_execute(batch_id=batch.pk, actor=checker)
    now = timezone.now()
    period = services.period_open(start=now - timedelta(hours=1), end=now + timedelta(hours=1))
    transfers = list(SettlementTransfer.objects.filter(batch=batch).order_by("order_ref"))

    # when Stripe reports only the first transfer
    services.balance_transactions_import(
        rows=[
            _btx("txn_t1", "transfer", -transfers[0].amount, "", now, source=transfers[0].stripe_transfer_id)
        ]
    )
    # then the batch's payout is short by the second
    (item,) = services.period_reconcile(period=period).open_items
    assert (item.key, item.stripe, item.ledger) == (f"transfer:{batch.ref}", 9_000, 13_500)

    # when the second arrives, everything matches
    services.balance_transactions_import(
        rows=[
            _btx("txn_t2", "transfer", -transfers[1].amount, "", now, source=transfers[1].stripe_transfer_id)
        ]
    )
    assert services.period_reconcile(period=period).open_items == []


def test_the_reconciliation_sum_is_exact_past_2_53_and_refuses_to_wrap():
    from django.db import DataError, connection

    # given the bigint sum the matching statement uses (0021_exact_sum_aggregate)
    big = 2**62
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT payments_exact_sum(x) FROM (VALUES (%s::bigint), (%s::bigint), (1::bigint)) v(x)",
            [big, big - 2],
        )
        # then it is exact where a float would have rounded
        assert cursor.fetchone() == (2**63 - 1,)
        # and a sum past bigint is an error, never a wrapped figure
        with pytest.raises(DataError, match="out of range"), transaction.atomic():
            cursor.execute(
                "SELECT payments_exact_sum(x) FROM (VALUES (%s::bigint), (%s::bigint)) v(x)", [big, big]
            )


def test_imported_times_keep_their_instant_and_a_time_without_offset_is_utc():
    from datetime import UTC, datetime

    from payments.models import StripeBalanceTransaction

    rows = [
        _btx("txn_1", "charge", 100, "o1", at(3)) | {"created": "2026-11-03T10:00:00"},
        _btx("txn_2", "charge", 100, "o2", at(3)) | {"created": "2026-11-03T10:00:00+08:00"},
        _btx("txn_3", "charge", 100, "o3", at(3)) | {"created": 1_793_700_000},
    ]
    services.balance_transactions_import(rows=rows)
    assert dict(StripeBalanceTransaction.objects.values_list("stripe_id", "created")) == {
        "txn_1": datetime(2026, 11, 3, 10, tzinfo=UTC),
        "txn_2": datetime(2026, 11, 3, 2, tzinfo=UTC),
        "txn_3": datetime.fromtimestamp(1_793_700_000, tz=UTC),
    }


def test_an_id_repeated_in_one_chunk_or_across_chunks_is_stored_once_as_first_seen():
    from payments.models import StripeBalanceTransaction

    first = _btx("txn_1", "charge", 100, "o1", at(3))
    again = _btx("txn_1", "charge", 999, "o1", at(3))
    other = _btx("txn_2", "charge", 200, "o2", at(3))
    assert services.balance_transactions_import(rows=[first, other, again]) == 2  # one chunk
    assert services.balance_transactions_import(rows=[again, other, first], chunk=1) == 0
    assert (
        services.balance_transactions_import(rows=[_btx("txn_3", "refund", -50, "o1", at(4))] * 3, chunk=2)
        == 1
    )
    assert dict(StripeBalanceTransaction.objects.values_list("stripe_id", "amount")) == {
        "txn_1": 100,
        "txn_2": 200,
        "txn_3": -50,
    }
