"""Prices as Saleor takes them: fen to a decimal string of yuan."""

from __future__ import annotations

from core.money import minor_format


def price_decimal(fen: int, currency: str = "CNY") -> str:
    return minor_format(fen, currency)
