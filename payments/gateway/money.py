"""Saleor's decimal amounts <-> Stripe's integer minor units, exactly (Decimal only, never float)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from core import money


class AmountInvalid(ValueError):
    """The amount is not a positive whole number of minor units in a supported currency."""


def exponent(currency: str) -> int:
    try:
        return money.exponent(currency)
    except KeyError:
        raise AmountInvalid(f"currency {currency!r} is not supported by the Stripe gateway") from None


def to_minor(amount: Decimal | str | int, currency: str) -> int:
    """49.99 CNY -> 4999 fen; refuses fractions of a minor unit instead of rounding them away."""
    if isinstance(amount, float):
        raise AmountInvalid("amounts must be Decimal or str, never float")
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise AmountInvalid(f"{amount!r} is not a number") from exc
    scaled = value.scaleb(exponent(currency))
    if not value.is_finite() or scaled != scaled.to_integral_value():
        raise AmountInvalid(f"{amount} {currency} is not a whole number of minor units")
    minor = int(scaled)
    if minor <= 0:
        raise AmountInvalid(f"{amount} {currency} is not positive")
    return minor


def to_decimal(minor: int, currency: str) -> Decimal:
    """4999 fen -> Decimal('49.99'), with exactly the currency's number of decimals."""
    exponent(currency)  # an unsupported currency is refused as AmountInvalid
    return money.minor_to_decimal(minor, currency)
