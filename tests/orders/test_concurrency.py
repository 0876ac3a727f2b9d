"""Two workers on different events of the same order at once end in the ledger of one clean delivery."""

from __future__ import annotations

from functools import partial

import pytest

from payments import selectors as ledger
from payments.models import LedgerTransaction
from saleor_app import services, wakeup
from tests.db_sessions import race

from .payloads import two_unit_order

pytestmark = pytest.mark.django_db(transaction=True)


def test_paid_and_refunded_processed_concurrently(units, deliver, monkeypatch):
    monkeypatch.setattr(wakeup, "inbox_kick", lambda: None)  # the two workers below are the only ones
    order = two_unit_order(units).paid()
    paid = deliver("order_fully_paid", order.payload(), process=False)
    order.refunds.append(("refund-1", 1234, "2026-11-27T11:00:00+00:00"))
    order.updated_at = "2026-11-27T11:00:01+00:00"
    refunded = deliver("order_refunded", order.payload(issued_at="2026-11-27T11:00:02+00:00"), process=False)
    ids = (paid.pk, refunded.pk)
    outcomes = dict(zip(ids, race(*(partial(services.inbox_process, event_id=i) for i in ids)), strict=True))
    for event_id, status in list(outcomes.items()):  # a worker that lost a race is retried by the inbox
        if status == "failed":
            outcomes[event_id] = services.inbox_process(event_id=event_id)

    assert sorted(outcomes.values()) == ["done", "done"]
    assert sorted(LedgerTransaction.objects.values_list("kind", flat=True)) == ["payment", "refund"]
    nets = ledger.order_line_nets(order_ref="order-1")
    assert sum(a for parties in nets.values() for _, a, _ in parties) == order.total - 1234
    assert ledger.transactions_unbalanced() == []
