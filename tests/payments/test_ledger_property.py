"""Property: random orders, agreements, discounts and refunds, delivered duplicated, reordered and some
interrupted mid-posting, end in a balanced ledger whose every line and party matches an independent
recomputation.

The model below re-implements the money rules naively (Fractions, no shared code with payments.split)
and predicts the outcome of every delivery attempt; the real services must agree at each step.
"""

from __future__ import annotations

from collections import defaultdict, deque
from contextlib import suppress
from dataclasses import dataclass
from fractions import Fraction

from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments.errors import PostingNotReady, PostingRefused
from payments.ledger_services import payment_post, refund_post
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

PARTIES = ["unit:1", "unit:2", "entity:1", "entity:2", "designer:1", "ip:1", "platform"]


def naive_lr(amount: int, weights: list[int]) -> list[int]:
    """Largest remainder with Fractions: exact quotas, leftover to largest remainders, then earliest."""
    assert amount >= 0
    total = sum(weights)
    if total == 0:
        assert amount == 0
        return [0] * len(weights)
    quotas = [Fraction(amount * w, total) for w in weights]
    out = [int(q) for q in quotas]
    ranked = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - out[i]), i))
    for i in ranked[: amount - sum(out)]:
        out[i] += 1
    return out


@dataclass
class ModelLine:
    ref: str
    carved: list[tuple[str, int]]
    main: list[tuple[str, int]]
    fee_rule: FeeRule
    captured: int
    net: int = 0

    def parties(self) -> list[str]:
        return [p for p, _ in self.carved] + [p for p, _ in self.main]

    def split(self, amount: int) -> list[int]:
        first = naive_lr(amount, [b for _, b in self.carved] + [10_000 - sum(b for _, b in self.carved)])
        return first[:-1] + naive_lr(first[-1], [b for _, b in self.main])


def model_lines(sale: Sale) -> list[ModelLine]:
    """The order's lines in payment order, with nets after the discount (naively recomputed)."""
    discounts = naive_lr(sale.discount, [ln.gross for ln in sale.lines])
    out = []
    for ln, disc in zip(sale.lines, discounts, strict=True):
        agr = ln.agreement
        main = [(s.party, s.bps) for s in agr.shares]
        out.append(
            ModelLine(ln.ref, [(r.party, r.bps) for r in ln.royalties], main, agr.fee_rule, ln.gross - disc)
        )
        if ln.tax:
            taker = "platform" if agr.tax_rule == TaxRule.PLATFORM else ln.seller_of_record
            out.append(ModelLine(f"{ln.ref}:tax", [], [(taker, 10_000)], agr.fee_rule, ln.tax))
    if sale.shipping:
        sh, agr = sale.shipping, sale.shipping.agreement
        if agr.shipping_rule == ShippingRule.AGREEMENT:
            main = [(s.party, s.bps) for s in agr.shares]
        else:
            main = [("platform" if agr.shipping_rule == ShippingRule.PLATFORM else sh.party, 10_000)]
        out.append(ModelLine("shipping", [], main, agr.fee_rule, sh.amount))
        if sh.tax:
            taker = "platform" if agr.tax_rule == TaxRule.PLATFORM else sh.party
            out.append(ModelLine("shipping:tax", [], [(taker, 10_000)], agr.fee_rule, sh.tax))
    for line in out:
        line.net = line.captured
    return out


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


@dataclass(frozen=True)
class Event:
    key: str
    order_ref: str
    sale: Sale | None = None
    lines: tuple[tuple[str, int], ...] | None = None
    amount: int | None = None


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


# ----------------------------------------------------------------------------------------------- model


class Model:
    """Predicts every delivery attempt's outcome and keeps the expected per-line nets and fees."""

    def __init__(self) -> None:
        self.lines: dict[str, list[ModelLine]] = {}
        self.fees: dict[str, dict[str, int]] = {}  # order -> party -> fee borne
        self.fee_total = 0
        self.posted: dict[str, Event] = {}
        self.refunded = 0
        self.captured = 0

    def attempt(self, event: Event) -> str:
        if event.key in self.posted:
            return "duplicate"
        if event.sale is not None:
            self._pay(event.sale)
        elif event.order_ref not in self.lines:
            return "not_ready"
        elif not self._refund(event):
            return "refused"
        self.posted[event.key] = event
        return "created"

    def _pay(self, sale: Sale) -> None:
        lines = model_lines(sale)
        line_fees = naive_lr(sale.fee, [ln.captured for ln in lines])
        fees: dict[str, int] = defaultdict(int)
        for line, fee in zip(lines, line_fees, strict=True):
            if line.fee_rule == FeeRule.PRO_RATA:
                for party, f in zip(line.parties(), naive_lr(fee, line.split(line.captured)), strict=True):
                    fees[party] += f
        self.lines[sale.order_ref] = lines
        self.fees[sale.order_ref] = fees
        self.fee_total += sale.fee
        self.captured += sale.captured

    def _refund(self, event: Event) -> bool:
        lines = {ln.ref: ln for ln in self.lines[event.order_ref]}
        if event.amount is not None:
            remaining = [ln.net for ln in lines.values()]
            if event.amount == 0 or event.amount > sum(remaining):
                return False
            per_line = dict(zip(lines, naive_lr(event.amount, remaining), strict=True))
        else:
            per_line = dict(event.lines)
            if sum(per_line.values()) == 0 or any(r > lines[ref].net for ref, r in per_line.items()):
                return False
        for ref, r in per_line.items():
            lines[ref].net -= r
        self.refunded += sum(per_line.values())
        return True

    def owed(self) -> dict[str, int]:
        owed: dict[str, int] = defaultdict(int)
        for order, lines in self.lines.items():
            for line in lines:
                for party, amount in zip(line.parties(), line.split(line.net), strict=True):
                    owed[party] += amount
            for party, fee in self.fees[order].items():
                if party != "platform":
                    owed[party] -= fee
        return {p: v for p, v in owed.items() if v}


# ----------------------------------------------------------------------------------------------- the property


class WorkerKilled(Exception):
    """A worker dying after its writes, before its commit."""


def deliver(event: Event):
    if event.sale is not None:
        return payment_post(idempotency_key=event.key, sale=event.sale)
    lines = dict(event.lines) if event.lines is not None else None
    return refund_post(
        idempotency_key=event.key, order_ref=event.order_ref, currency="CNY", lines=lines, amount=event.amount
    )


@settings(  # max_examples: 200, or 2,000 with HYPOTHESIS_PROFILE=thorough (tests/payments/conftest.py)
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
