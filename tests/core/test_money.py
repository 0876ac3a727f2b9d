"""Money formatting by currency exponent: exact for negatives, zero-decimal currencies and large sums."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.money import minor_format, minor_to_decimal


@pytest.mark.parametrize(
    ("minor", "currency", "kwargs", "text"),
    [
        (4999, "CNY", {}, "49.99"),
        (-150, "CNY", {}, "-1.50"),  # not "-2.50", as floor division and modulo printed it
        (-5, "CNY", {}, "-0.05"),
        (0, "CNY", {}, "0.00"),
        (123_456_789, "CNY", {"grouping": True}, "1,234,567.89"),
        (-123_456, "CNY", {"grouping": True}, "-1,234.56"),
        (1250, "CNY", {"grouping": True, "whole": True}, "12"),  # half to even, as before
        (1350, "CNY", {"grouping": True, "whole": True}, "14"),
        (500, "JPY", {}, "500"),
        (10_000_000_000_000_001, "USD", {}, "100000000000000.01"),  # beyond a float's precision
    ],
)
def test_minor_units_are_formatted_by_the_currency_exponent(minor, currency, kwargs, text):
    assert minor_format(minor, currency, **kwargs) == text


def test_minor_units_become_exact_decimals():
    assert minor_to_decimal(4999, "cny") == Decimal("49.99")
    assert str(minor_to_decimal(7, "KRW")) == "7"
    with pytest.raises(KeyError):
        minor_to_decimal(1, "XXX")
