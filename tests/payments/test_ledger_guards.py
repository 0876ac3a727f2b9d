"""PostgreSQL itself keeps the ledger right: balanced at commit, append-only, no late entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from payments.ledger_services import payment_post
from payments.models import Account, LedgerEntry, LedgerTransaction, SplitLine
from tests.payments.sales import sale


def _txn(key: str = "manual-1") -> LedgerTransaction:
    return LedgerTransaction.objects.create(
        idempotency_key=key,
        kind="refund",
        order_ref="o-1",
        currency="CNY",
        fingerprint="x",
        posted_at=timezone.now(),
    )


def _accounts() -> tuple[Account, Account]:
    return (
        Account.objects.create(kind=Account.Kind.STRIPE_CLEARING, party=""),
        Account.objects.create(kind=Account.Kind.PARTY_PAYABLE, party="unit:1"),
    )


@pytest.mark.django_db(transaction=True)
def test_an_unbalanced_transaction_fails_at_commit():
    # given two accounts
    clearing, payable = _accounts()
    # when a transaction with entries that do not sum to zero is committed
    unbalanced = pytest.raises(IntegrityError, match="does not balance in CNY: debits minus credits = 1")
    with unbalanced, transaction.atomic():
        txn = _txn()
        LedgerEntry.objects.create(transaction=txn, account=clearing, amount=100, currency="CNY")
        LedgerEntry.objects.create(transaction=txn, account=payable, amount=-99, currency="CNY")
    # then nothing of it was kept
    assert not LedgerTransaction.objects.exists()
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_balance_is_checked_per_currency_at_commit():
    clearing, payable = _accounts()
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        txn = _txn()
        LedgerEntry.objects.create(transaction=txn, account=clearing, amount=100, currency="CNY")
        LedgerEntry.objects.create(transaction=txn, account=payable, amount=-100, currency="USD")


@pytest.mark.django_db(transaction=True)
def test_a_balanced_transaction_commits_even_when_its_entries_arrive_one_by_one():
    clearing, payable = _accounts()
    with transaction.atomic():
        txn = _txn()
        LedgerEntry.objects.create(transaction=txn, account=clearing, amount=100, currency="CNY")
        LedgerEntry.objects.create(transaction=txn, account=payable, amount=-100, currency="CNY")
    assert LedgerEntry.objects.filter(transaction=txn).count() == 2


@pytest.mark.django_db(transaction=True)
def test_entries_cannot_be_added_to_a_committed_transaction():
    # given a committed payment
    posted = payment_post(idempotency_key="payment:o-1", sale=sale(order_ref="o-1"))
    clearing, payable = (
        Account.objects.get(kind=Account.Kind.STRIPE_CLEARING),
        Account.objects.get(party="unit:1"),
    )
    # when a later transaction slips a balanced pair into it
    txn_id = posted.transaction_id
    late = [
        LedgerEntry(transaction_id=txn_id, account=clearing, amount=5, currency="CNY"),
        LedgerEntry(transaction_id=txn_id, account=payable, amount=-5, currency="CNY"),
    ]
    refused = pytest.raises(IntegrityError, match="may only be added with their ledger transaction")
    with refused, transaction.atomic():
        LedgerEntry.objects.bulk_create(late)
    # then the payment still has only its own entries
    assert not LedgerEntry.objects.filter(transaction_id=txn_id, amount=5).exists()


def test_unbalanced_entries_fail_when_constraints_are_checked(db):
    clearing, _payable = _accounts()
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        txn = _txn()
        LedgerEntry.objects.create(transaction=txn, account=clearing, amount=100, currency="CNY")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_entries_cannot_be_updated_or_deleted_through_the_orm(db):
    payment_post(idempotency_key="payment:o-1", sale=sale(order_ref="o-1"))
    entry = LedgerEntry.objects.first()
    with pytest.raises(IntegrityError, match="append-only: UPDATE refused"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=entry.amount + 1)
    with pytest.raises(IntegrityError, match="append-only: DELETE refused"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE payments_ledgerentry SET amount = amount + 1",
        "DELETE FROM payments_ledgerentry",
        "UPDATE payments_ledgertransaction SET memo = 'edited'",
        "DELETE FROM payments_ledgertransaction",
        "UPDATE payments_splitline SET amount = 0",
        "DELETE FROM payments_splitline",
        "UPDATE payments_account SET party = 'unit:2' WHERE party = 'unit:1'",
        "DELETE FROM payments_account",
    ],
)
def test_ledger_rows_cannot_be_changed_with_raw_sql(db, sql):
    payment_post(idempotency_key="payment:o-1", sale=sale(order_ref="o-1"))
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    assert LedgerEntry.objects.count() > 0 and SplitLine.objects.count() > 0


def test_an_entry_on_an_account_that_does_not_exist_is_refused(db):
    # given a ledger transaction and one real account
    clearing, _ = _accounts()
    txn = _txn()
    # when its entries are inserted in one statement, one of them on an account id that does not exist
    refused = pytest.raises(IntegrityError, match="refers to account 987654321, which does not exist")
    with refused, transaction.atomic():
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(transaction=txn, account=clearing, amount=5, currency="CNY"),
                LedgerEntry(transaction=txn, account_id=987_654_321, amount=-5, currency="CNY"),
            ]
        )
    # then none of them was kept
    assert not LedgerEntry.objects.exists()


def test_zero_entries_are_refused(db):
    clearing, _ = _accounts()
    with pytest.raises(IntegrityError, match="payments_entry_nonzero"), transaction.atomic():
        LedgerEntry.objects.create(transaction=_txn(), account=clearing, amount=0, currency="CNY")


def test_idempotency_key_is_unique_in_the_database(db):
    _txn("same-key")
    with pytest.raises(IntegrityError), transaction.atomic():
        _txn("same-key")


def test_entries_and_split_lines_must_belong_to_an_existing_transaction(db):
    clearing, payable = _accounts()
    missing = 987_654_321
    with pytest.raises(IntegrityError, match="may only be added"), transaction.atomic():
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(transaction_id=missing, account=clearing, amount=5, currency="CNY"),
                LedgerEntry(transaction_id=missing, account=payable, amount=-5, currency="CNY"),
            ]
        )
    with (
        pytest.raises(IntegrityError, match="may only be added"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(
            "INSERT INTO payments_splitline (transaction_id, order_ref, line_ref, line_kind, party, role,"
            " position, bps, carved, rule, fee_rule, agreement_version, amount, fee, currency,"
            " posted_at) VALUES (%s, 'o', 'L1', 'product', 'unit:1', 'unit', 0, 10000, false, 'agreement',"
            " 'pro_rata', 'v', 1, 0, 'CNY', now())",
            [missing],
        )


@pytest.mark.django_db(transaction=True)
def test_a_batch_with_one_unbalanced_transaction_is_refused_whole_at_commit():
    # given two accounts
    clearing, payable = _accounts()
    # when three transactions and all their entries are inserted with multi-row inserts, one unbalanced
    refused = pytest.raises(
        IntegrityError, match=r"\(manual-2\) does not balance in CNY: debits minus credits = 3"
    )
    with refused, transaction.atomic():
        txns = LedgerTransaction.objects.bulk_create(
            [
                LedgerTransaction(
                    idempotency_key=f"manual-{n}",
                    kind="payment",
                    order_ref=f"o-{n}",
                    currency="CNY",
                    fingerprint="x",
                    posted_at=timezone.now(),
                )
                for n in (1, 2, 3)
            ]
        )
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(transaction=txn, account=account, amount=amount, currency="CNY")
                for txn, off in zip(txns, (0, 3, 0), strict=True)
                for account, amount in ((clearing, 100 + off), (payable, -100))
            ]
        )
    # then none of the batch was kept, the balanced ones included
    assert not LedgerTransaction.objects.exists()
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_transactions_added_after_an_early_check_are_checked_again_at_commit():
    # given a balanced transaction already checked by SET CONSTRAINTS inside the database transaction
    clearing, payable = _accounts()
    with pytest.raises(IntegrityError, match=r"\(manual-2\) does not balance"), transaction.atomic():
        first = _txn("manual-1")
        LedgerEntry.objects.create(transaction=first, account=clearing, amount=100, currency="CNY")
        LedgerEntry.objects.create(transaction=first, account=payable, amount=-100, currency="CNY")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # when an unbalanced one follows in the same database transaction
        LedgerEntry.objects.create(transaction=_txn("manual-2"), account=clearing, amount=7, currency="CNY")
    # then the commit refuses it, and the first one with it
    assert not LedgerTransaction.objects.exists()


def test_a_split_line_is_dated_as_its_ledger_transaction(db):
    # given a ledger transaction posted now
    txn = _txn()
    sql = (
        "INSERT INTO payments_splitline (transaction_id, order_ref, line_ref, line_kind, party, role,"
        " position, bps, carved, rule, fee_rule, agreement_version, amount, fee, currency, posted_at)"
        " VALUES (%s, 'o-1', 'L1', 'product', 'unit:1', 'unit', %s, 10000, false, 'agreement', 'pro_rata',"
        " 'v', 1, 0, 'CNY', %s)"
    )
    # when a split line of it is inserted with another date, it is refused
    with (
        pytest.raises(IntegrityError, match="dated as its ledger transaction"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(sql, [txn.pk, 0, txn.posted_at - timedelta(days=1)])
    # and with the transaction's own date it is taken (the drill-down reads lines by that date)
    with connection.cursor() as cur:
        cur.execute(sql, [txn.pk, 0, txn.posted_at])
    assert SplitLine.objects.get(transaction=txn).posted_at == txn.posted_at
