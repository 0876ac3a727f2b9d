"""Property: random orders, agreements, discounts and refunds, delivered duplicated, reordered and some
interrupted mid-posting, end in a balanced ledger whose every line and party matches an independent
recomputation.

The model (tests/payments/ledger_model.py) re-implements the money rules naively and predicts the
outcome of every delivery attempt; the real services must agree at each step.
"""

from __future__ import annotations

from collections import deque
from contextlib import suppress

from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments.errors import PostingNotReady, PostingRefused
from payments.models import Account
from payments.selectors import account_balances, order_line_nets, party_owed, transactions_unbalanced
from payments.split import (
    AgreementVersion,
    FeeRule,
    PartyShare,
    Sale,
    SaleLine,
    SaleShipping,
    ShippingRule,
    TaxRule,
)
from tests.payments.ledger_model import Event, Model, deliver, model_lines

PARTIES = ["unit:1", "unit:2", "entity:1", "entity:2", "designer:1", "ip:1", "platform"]


# ----------------------------------------------------------------------------------------------- strategies


@st.composite
def agreements(draw, n: int) -> AgreementVersion:
    parties = draw(st.lists(st.sampled_from(PARTIES), min_size=2, max_size=5, unique=True))
    cuts = sorted(
        draw(st.lists(st.integers(0, 10_000), min_size=len(parties) - 1, max_size=len(parties) - 1))
    )
    bps = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
    return AgreementVersion(
        f"agr:{n}:v{draw(st.integers(1, 9))}",
        tuple(PartyShare(p, p.split(":")[0], b) for p, b in zip(parties, bps, strict=True)),
        fee_rule=draw(st.sampled_from(FeeRule)),
        tax_rule=draw(st.sampled_from(TaxRule)),
        shipping_rule=draw(st.sampled_from(ShippingRule)),
    )


@st.composite
def sales(draw, order_ref: str) -> Sale:
    agrs = [draw(agreements(i)) for i in range(draw(st.integers(1, 2)))]
    lines = []
    for i in range(draw(st.integers(1, 3))):
        royalties = tuple(
            PartyShare(p, "royalty", draw(st.integers(0, 3000)))
            for p in draw(st.lists(st.sampled_from(["designer:1", "ip:1"]), max_size=2, unique=True))
        )
        lines.append(
            SaleLine(
                f"L{i}",
                draw(st.integers(0, 50_000)),
                draw(st.sampled_from(agrs)),
                draw(st.sampled_from(["entity:1", "entity:2"])),
                tax=draw(st.integers(0, 5_000)),
                royalties=royalties,
            )
        )
    shipping = None
    if draw(st.booleans()):
        shipping = SaleShipping(draw(st.integers(0, 2_000)), "unit:1", agrs[0], tax=draw(st.integers(0, 200)))
    gross = sum(ln.gross for ln in lines)
    discount = draw(st.integers(0, gross))
    captured = (
        gross - discount + sum(ln.tax for ln in lines) + (shipping.amount + shipping.tax if shipping else 0)
    )
    fee = draw(st.integers(0, min(captured, 3_000)))
    return Sale(order_ref, "CNY", captured, tuple(lines), discount=discount, shipping=shipping, fee=fee)


@st.composite
def order_events(draw, order_ref: str) -> list[Event]:
    sale = draw(sales(order_ref))
    refs = [ln.ref for ln in model_lines(sale)]
    events = [Event(f"payment:{order_ref}", order_ref, sale=sale)]
    for i in range(draw(st.integers(0, 4))):
        key = f"refund:{order_ref}:{i}"
        cap = max(sale.captured, 1)
        if draw(st.booleans()):
            amount = draw(st.integers(0, cap // 2)) if draw(st.integers(0, 9)) else cap + 1
            events.append(Event(key, order_ref, amount=amount))
        else:
            chosen = draw(st.lists(st.sampled_from(refs), min_size=1, max_size=2, unique=True))
            events.append(
                Event(key, order_ref, lines=tuple((ref, draw(st.integers(0, cap // 2))) for ref in chosen))
            )
    return events


# ----------------------------------------------------------------------------------------------- the property


class WorkerKilled(Exception):
    """A worker dying after its writes, before its commit."""


@settings(  # max_examples: 200, or 2,000 with HYPOTHESIS_PROFILE=thorough (tests/conftest.py)
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_duplicated_reordered_interrupted_deliveries_end_in_the_independently_recomputed_ledger(db, data):
    # given random orders and refunds, each delivered once or twice, in a random order
    events = [e for n in range(data.draw(st.integers(1, 2))) for e in data.draw(order_events(f"o{n}"))]
    copies = [e for e in events for _ in range(data.draw(st.integers(1, 2)))]
    queue = deque(data.draw(st.permutations(copies)))
    model = Model()
    kills_left = 5  # bounded, so a run of kills cannot loop forever
    with transaction.atomic():
        # when an inbox delivers them, retrying what is not ready yet (at the back of the queue), and
        # some workers die mid-posting (their database transaction rolls back; the event is redelivered)
        while queue:
            event = queue.popleft()
            if kills_left and data.draw(st.integers(0, 9)) == 9:  # shrinks towards "not killed"
                kills_left -= 1
                with suppress(WorkerKilled, PostingNotReady, PostingRefused), transaction.atomic():
                    deliver(event)
                    raise WorkerKilled
                queue.append(event)
                continue
            expected = model.attempt(event)
            try:
                outcome = "created" if deliver(event).created else "duplicate"
            except PostingNotReady:
                outcome = "not_ready"
                queue.append(event)
            except PostingRefused:
                outcome = "refused"
            # then every attempt ends as the model predicts
            assert outcome == expected, event

        with connection.cursor() as cursor:  # the commit-time balance trigger, fired now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # and the ledger balances, each line's split is the split of captured minus refunded,
        assert transactions_unbalanced() == []
        for order, lines in model.lines.items():
            nets = order_line_nets(order_ref=order)
            for line in lines:
                assert [a for _, a, _ in nets[line.ref]] == line.split(line.net), (order, line.ref)
        # and every account equals its independent recomputation
        assert party_owed(currency="CNY") == model.owed()
        balances = account_balances()
        recharged = sum(f for fees in model.fees.values() for p, f in fees.items() if p != "platform")
        assert balances.get((Account.Kind.STRIPE_CLEARING, "", "CNY"), 0) == model.captured - model.fee_total
        assert balances.get((Account.Kind.PROCESSOR_FEES, "", "CNY"), 0) == model.fee_total - recharged
        assert balances.get((Account.Kind.REFUNDS, "", "CNY"), 0) == -model.refunded
        transaction.set_rollback(True)
