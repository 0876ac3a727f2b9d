"""Prices as Saleor takes them: fen to a decimal string of yuan."""

from __future__ import annotations

from decimal import Decimal


def price_decimal(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))
