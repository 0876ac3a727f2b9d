"""Prices for people: Saleor's integer minor units formatted with Babel for the page's language."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency

# Django language code -> Babel locale.
_LOCALES = {"zh-hans": "zh_Hans_CN", "en": "en"}


def babel_locale(language: str | None) -> str:
    return _LOCALES.get((language or "zh-hans").lower(), "zh_Hans_CN")


def money_format(money: dict | None, *, language: str | None) -> str:
    """'¥1,288.00' from {"currency", "fractionalAmount", "fractionDigits"}; never through a float."""
    if not money:
        return ""
    amount = Decimal(money["fractionalAmount"]).scaleb(-int(money.get("fractionDigits", 2)))
    return format_currency(amount, money["currency"], locale=babel_locale(language))
