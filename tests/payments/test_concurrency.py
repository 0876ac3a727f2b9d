"""Two workers on the same order, each with its own database connection, end in one clean ledger."""

from __future__ import annotations

import random
import threading
from collections import deque

import pytest

from payments.errors import PostingNotReady, PostingRefused
from payments.ledger_services import payment_post, refund_post
from payments.models import LedgerEntry, LedgerTransaction
from payments.selectors import order_line_nets, party_owed, transactions_unbalanced
from payments.split import SaleLine
from tests.db_sessions import race
from tests.payments.ledger_model import Event, Model, deliver, model_lines
from tests.payments.sales import agreement, sale

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_posting_the_same_payment_end_with_one_transaction():
    s = sale(order_ref="o-1", fee=120)
    for _ in range(5):  # a few rounds to make the race likely to overlap
        results = race(*[lambda: payment_post(idempotency_key="payment:o-1", sale=s)] * 2)
        assert not [r for r in results if isinstance(r, Exception)], results
    assert LedgerTransaction.objects.count() == 1
    # clearing captured and fee, processor fees charged and recharged, one net leg per party (3)
    assert LedgerEntry.objects.count() == 7
    assert transactions_unbalanced() == []


def test_two_workers_posting_the_same_payment_concurrently_one_creates():
    s = sale(order_ref="o-2")
    results = race(*[lambda: payment_post(idempotency_key="payment:o-2", sale=s)] * 2)
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].transaction_id == results[1].transaction_id


def test_concurrent_refunds_cannot_together_exceed_what_was_captured():
    # given a paid order of 10,000
    payment_post(idempotency_key="payment:o-1", sale=sale(order_ref="o-1"))
    # when two different refunds of 6,000 race
    results = race(
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
    results = race(
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


def test_two_workers_draining_a_duplicated_shuffled_inbox_end_in_the_clean_delivery_ledger():
    # given 6 orders with valid line-level refunds, every event delivered twice, shuffled
    rng = random.Random(7)
    agreements = [
        agreement("agr:a:v1"),
        agreement(
            "agr:b:v2",
            (("unit:2", "unit", 5000), ("entity:2", "entity", 3333), ("platform", "platform", 1667)),
        ),
    ]
    events, model = [], Model()
    for n in range(6):
        lines = tuple(
            SaleLine(
                f"L{i}", rng.randint(1, 90_000), rng.choice(agreements), "entity:1", tax=rng.randint(0, 900)
            )
            for i in range(rng.randint(1, 3))
        )
        s = sale(order_ref=f"o{n}", lines=lines, discount=rng.randint(0, 500), fee=rng.randint(0, 300))
        events.append(Event(f"payment:o{n}", f"o{n}", sale=s))
        for line in model_lines(s):
            left = line.captured
            for k in range(rng.randint(0, 2)):
                r = rng.randint(0, left)
                left -= r
                events.append(Event(f"refund:o{n}:{line.ref}:{k}", f"o{n}", lines=((line.ref, r),)))
    for event in events:  # the clean delivery: payments first, each event once
        if event.sale is not None:
            model.attempt(event)
    for event in events:
        if event.sale is None:
            model.attempt(event)
    inbox = deque(rng.sample(events * 2, len(events) * 2))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not inbox:
                    return
                event = inbox.popleft()
            try:
                deliver(event)
            except PostingNotReady:
                with lock:
                    inbox.append(event)
            except PostingRefused:  # a refund of 0: refused the same way in every order
                pass

    # when two workers drain it concurrently
    results = race(worker, worker)
    # then the ledger is the one a clean delivery gives
    assert results == [None, None]
    assert transactions_unbalanced() == []
    assert party_owed(currency="CNY") == model.owed()
    for order, lines in model.lines.items():
        nets = order_line_nets(order_ref=order)
        for line in lines:
            assert [a for _, a, _ in nets[line.ref]] == line.split(line.net)
