"""Two workers on the same order, each with its own database connection, end in one clean ledger."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from payments.errors import PostingRefused
from payments.ledger_services import payment_post, refund_post
from payments.models import LedgerEntry, LedgerTransaction
from payments.selectors import order_line_nets, transactions_unbalanced
from tests.payments.sales import sale

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released together; each thread has its own connection."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # kept and asserted on by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_workers_posting_the_same_payment_end_with_one_transaction():
    s = sale(order_ref="o-1", fee=120)
    for _ in range(5):  # a few rounds to make the race likely to overlap
        results = _race(*[lambda: payment_post(idempotency_key="payment:o-1", sale=s)] * 2)
        assert not [r for r in results if isinstance(r, Exception)], results
    assert LedgerTransaction.objects.count() == 1
    # clearing captured and fee, processor fees charged and recharged, one net leg per party (3)
    assert LedgerEntry.objects.count() == 7
    assert transactions_unbalanced() == []


def test_two_workers_posting_the_same_payment_concurrently_one_creates():
    s = sale(order_ref="o-2")
    results = _race(*[lambda: payment_post(idempotency_key="payment:o-2", sale=s)] * 2)
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].transaction_id == results[1].transaction_id


def test_concurrent_refunds_cannot_together_exceed_what_was_captured():
    # given a paid order of 10,000
    payment_post(idempotency_key="payment:o-1", sale=sale(order_ref="o-1"))
    # when two different refunds of 6,000 race
    results = _race(
        lambda: refund_post(idempotency_key="refund:a", order_ref="o-1", currency="CNY", amount=6_000),
        lambda: refund_post(idempotency_key="refund:b", order_ref="o-1", currency="CNY", amount=6_000),
    )
    # then exactly one is posted; the other is refused as exceeding the capture
    refused = [r for r in results if isinstance(r, PostingRefused)]
    assert len(refused) == 1 and refused[0].code == "refund_exceeds_captured"
    assert LedgerTransaction.objects.filter(kind="refund").count() == 1
    assert sum(a for parts in order_line_nets(order_ref="o-1").values() for _, a, _ in parts) == 4_000


def test_the_same_refund_delivered_to_two_workers_posts_once():
    payment_post(idempotency_key="payment:o-1", sale=sale(order_ref="o-1"))
    results = _race(
        *[
            lambda: refund_post(
                idempotency_key="refund:a", order_ref="o-1", currency="CNY", lines={"L1": 2_500}
            )
        ]
        * 2
    )
    assert sorted(r.created for r in results) == [False, True]
    assert LedgerTransaction.objects.filter(kind="refund").count() == 1


def test_a_worker_killed_mid_posting_leaves_nothing_and_the_retry_posts_once(monkeypatch):
    # given a worker that dies after writing the transaction and its entries, before the split lines
    from payments import ledger_services

    real_insert = ledger_services._insert

    def dying_insert(table, columns, rows):
        if table == "payments_splitline":
            raise SystemExit("worker killed")
        real_insert(table, columns, rows)

    monkeypatch.setattr(ledger_services, "_insert", dying_insert)
    with pytest.raises(SystemExit):
        payment_post(idempotency_key="payment:o-1", sale=sale(order_ref="o-1"))
    # then nothing was committed
    assert not LedgerTransaction.objects.exists() and not LedgerEntry.objects.exists()
    # and the redelivered event posts exactly once
    monkeypatch.setattr(ledger_services, "_insert", real_insert)
    assert payment_post(idempotency_key="payment:o-1", sale=sale(order_ref="o-1")).created
    assert not payment_post(idempotency_key="payment:o-1", sale=sale(order_ref="o-1")).created
    assert LedgerTransaction.objects.count() == 1 and transactions_unbalanced() == []
