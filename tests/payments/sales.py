"""Builders of split-engine inputs for the payments tests."""

from __future__ import annotations

from payments.split import AgreementVersion, FeeRule, PartyShare, Sale, SaleLine, SaleShipping


def agreement(
    version_id: str = "agr:1:v1",
    shares: tuple[tuple[str, str, int], ...] = (
        ("unit:1", "unit", 7000),
        ("entity:1", "entity", 2000),
        ("platform", "platform", 1000),
    ),
    fee_rule: FeeRule = FeeRule.PRO_RATA,
) -> AgreementVersion:
    return AgreementVersion(version_id, tuple(PartyShare(*s) for s in shares), fee_rule=fee_rule)


def sale(
    *,
    order_ref: str = "order-1",
    lines: tuple[SaleLine, ...] | None = None,
    discount: int = 0,
    shipping: SaleShipping | None = None,
    fee: int = 0,
    currency: str = "CNY",
) -> Sale:
    """A sale whose `captured` is exactly what its lines, tax and shipping add up to."""
    if lines is None:
        lines = (SaleLine("L1", 10_000, agreement(), "unit:1"),)
    captured = sum(ln.gross + ln.tax for ln in lines) - discount
    if shipping:
        captured += shipping.amount + shipping.tax
    return Sale(order_ref, currency, captured, lines, discount=discount, shipping=shipping, fee=fee)
