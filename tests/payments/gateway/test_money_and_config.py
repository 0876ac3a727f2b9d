"""Decimal <-> fen conversion is exact; per-channel methods and test mode come from settings."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.template import engines

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


def test_pages_learn_the_stripe_test_mode_for_their_marker(settings, rf):
    template = engines["django"].from_string("{% if stripe_test_mode %}TEST MODE{% endif %}")
    settings.STRIPE_SECRET_KEY = "sk_test_abc"
    assert template.render({}, rf.get("/")) == "TEST MODE"
    settings.STRIPE_SECRET_KEY = "sk_live_abc"
    assert template.render({}, rf.get("/")) == ""


def test_localstripe_webhook_command_registers_this_services_endpoint(settings, localstripe_url):
    received: list[tuple[str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Stripe-Signature"], body))
            self.send_response(200)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.APP_PUBLIC_URL = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        call_command("localstripe_webhook", "--id", "command-test")
        requests.post(
            f"{localstripe_url}/v1/products",
            auth=(settings.STRIPE_SECRET_KEY, ""),
            data={"name": "Bronze mirror"},
            timeout=10,
        )
        deadline = time.monotonic() + 10
        # localstripe may still deliver an earlier test's events (payment_intent.succeeded): wait for ours
        while not any(json.loads(body)["type"] == "product.created" for _, body in received):
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        requests.post(
            f"{localstripe_url}/_config/webhooks/command-test",
            data={"url": "http://127.0.0.1:9/none", "secret": "x", "events[]": "none"},
            timeout=10,
        )
        server.shutdown()
        server.server_close()

    signature, body = next(((sig, body) for sig, body in received if b"product.created" in body), received[0])
    t, v1 = (part.split("=", 1)[1] for part in signature.split(","))
    assert json.loads(body)["type"] == "product.created"
    expected = hmac.new(settings.STRIPE_WEBHOOK_SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256)
    assert v1 == expected.hexdigest()
