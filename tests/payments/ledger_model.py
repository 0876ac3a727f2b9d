"""An independent model of the ledger's money rules for the payments tests.

It re-implements the rules naively (Fractions, no code shared with payments.split) and predicts the
outcome of every delivery attempt, and the per-line nets and per-party balances that must result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from payments.ledger_services import PostResult, payment_post, refund_post
from payments.split import FeeRule, Sale, ShippingRule, TaxRule


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


@dataclass(frozen=True)
class Event:
    key: str
    order_ref: str
    sale: Sale | None = None
    lines: tuple[tuple[str, int], ...] | None = None
    amount: int | None = None


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


def deliver(event: Event) -> PostResult:
    """What an inbox handler does with one event."""
    if event.sale is not None:
        return payment_post(idempotency_key=event.key, sale=event.sale)
    lines = dict(event.lines) if event.lines is not None else None
    return refund_post(
        idempotency_key=event.key, order_ref=event.order_ref, currency="CNY", lines=lines, amount=event.amount
    )
