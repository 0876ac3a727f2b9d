"""Money for people and files: integer minor units to decimals by the currency's exponent, never via float."""

from __future__ import annotations

from decimal import Decimal

# Minor-unit exponent per ISO currency the marketplace handles (Stripe: CNY/USD/EUR... 2, JPY/KRW 0).
CURRENCY_EXPONENTS: dict[str, int] = {
    "CNY": 2,
    "HKD": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "PLN": 2,
    "JPY": 0,
    "KRW": 0,
}


def exponent(currency: str) -> int:
    """The number of decimals of the currency's major unit; KeyError for a currency not in the table."""
    return CURRENCY_EXPONENTS[currency.upper()]


def minor_to_decimal(minor: int, currency: str) -> Decimal:
    """4999 fen -> Decimal('49.99'), with exactly the currency's number of decimals."""
    places = exponent(currency)
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def minor_format(minor: int, currency: str, *, grouping: bool = False, whole: bool = False) -> str:
    """-150 CNY -> '-1.50'; grouping: '1,234.56'; whole: rounded to the major unit (half to even)."""
    value = minor_to_decimal(minor, currency)
    spec = ("," if grouping else "") + (".0f" if whole else "f")
    return format(value, spec)
