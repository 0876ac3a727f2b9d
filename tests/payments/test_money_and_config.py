"""Decimal <-> fen conversion is exact; per-channel methods and test mode come from settings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from payments.gateway import config
from payments.gateway.money import AmountInvalid, to_decimal, to_minor


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("0.01", "CNY", 1),
        ("19.99", "CNY", 1999),
        ("0.30", "CNY", 30),
        ("1234567.89", "CNY", 123456789),
        (Decimal("100"), "CNY", 10000),
        ("4.10", "usd", 410),
        ("500", "JPY", 500),
    ],
)
def test_amounts_become_whole_minor_units(amount, currency, minor):
    assert to_minor(amount, currency) == minor
    assert to_minor(to_decimal(minor, currency), currency) == minor


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("10.005", "CNY"),
        ("0", "CNY"),
        ("-1.00", "CNY"),
        ("1.5", "JPY"),
        ("NaN", "CNY"),
        ("1.00", "XTS"),
        (0.3, "CNY"),
    ],
)
def test_amounts_that_are_not_whole_positive_minor_units_are_refused(amount, currency):
    with pytest.raises(AmountInvalid):
        to_minor(amount, currency)


def test_to_decimal_keeps_the_currencys_decimals():
    assert str(to_decimal(12050, "CNY")) == "120.50"
    assert str(to_decimal(500, "JPY")) == "500"


def test_payment_methods_per_channel_and_default(settings):
    settings.STRIPE_DEFAULT_PAYMENT_METHODS = ["card", "alipay"]
    settings.STRIPE_CHANNEL_PAYMENT_METHODS = "museum=card|alipay|wechat_pay; archive = card"

    assert config.payment_methods("museum") == ("card", "alipay", "wechat_pay")
    assert config.payment_methods("archive") == ("card",)
    assert config.payment_methods("other") == ("card", "alipay")


@pytest.mark.parametrize("per_channel", ["museum=card|paypal", "museum", "=card", "museum="])
def test_a_bad_payment_method_setting_is_a_clear_configuration_error(settings, per_channel):
    settings.STRIPE_CHANNEL_PAYMENT_METHODS = per_channel

    with pytest.raises(ImproperlyConfigured, match="STRIPE_CHANNEL_PAYMENT_METHODS"):
        config.payment_methods("museum")


def test_test_mode_follows_the_secret_key(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_abc"
    assert config.test_mode() is True
    settings.STRIPE_SECRET_KEY = "sk_live_abc"
    assert config.test_mode() is False
