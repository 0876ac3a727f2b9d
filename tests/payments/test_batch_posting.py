"""Property: the batched posting path writes exactly what posting the same orders one by one writes."""

from __future__ import annotations

from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments.ledger_services import payment_post, payment_post_batch
from payments.selectors import transactions_unbalanced
from tests.payments.test_ledger_property import sales

_ROWS = """
SELECT t.idempotency_key, t.kind, t.order_ref, t.currency, t.fingerprint, t.memo,
    ARRAY(SELECT ROW(a.kind, a.party, e.amount, e.currency)::text FROM payments_ledgerentry e
          JOIN payments_account a ON a.id = e.account_id WHERE e.transaction_id = t.id ORDER BY 1),
    ARRAY(SELECT ROW(s.order_ref, s.line_ref, s.line_kind, s.party, s.role, s.position, s.bps, s.carved,
                     s.rule, s.fee_rule, s.agreement_version, s.amount, s.fee, s.currency)::text
          FROM payments_splitline s WHERE s.transaction_id = t.id ORDER BY 1)
FROM payments_ledgertransaction t ORDER BY t.idempotency_key
"""


def _ledger_rows() -> list[tuple]:
    """Every posted transaction with its entries (by account kind and party) and split lines, ids left out;
    the deferred balance check run first."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(_ROWS)
        return cursor.fetchall()


@settings(  # max_examples: 200, or 2,000 with HYPOTHESIS_PROFILE=thorough (tests/conftest.py)
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_batch_posts_exactly_what_one_by_one_posts(db, data):
    # given random paid orders, some keys already posted, one repeated in the batch
    orders = [data.draw(sales(f"o{n}")) for n in range(data.draw(st.integers(1, 6)))]
    payments = [(f"payment:{s.order_ref}", s) for s in orders]
    posted_before = data.draw(st.integers(0, len(payments)))
    batch = payments + payments[:1]
    # when they are posted one order per call
    with transaction.atomic():
        for key, s in batch:
            payment_post(idempotency_key=key, sale=s)
        one_by_one = _ledger_rows()
        transaction.set_rollback(True)
    # and, from the same start, in one batch
    with transaction.atomic():
        for key, s in payments[:posted_before]:
            payment_post(idempotency_key=key, sale=s)
        results = payment_post_batch(payments=batch)
        batched = _ledger_rows()
        assert transactions_unbalanced() == []
        transaction.set_rollback(True)
    # then the ledger holds the same transactions, entries and split lines
    assert batched == one_by_one
    assert [r.created for r in results] == [n >= posted_before for n in range(len(batch) - 1)] + [
        posted_before == 0
    ]
    assert results[-1] == results[0]
