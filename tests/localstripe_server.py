"""localstripe (PyPI) as a subprocess on a free port: the payment tests' and the browser journey's Stripe."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

STRIPE_SECRET_KEY = "sk_test_wenchuang"
STRIPE_PUBLISHABLE_KEY = "pk_test_wenchuang"
STRIPE_WEBHOOK_SECRET = "whsec_test_wenchuang"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def localstripe_running() -> Iterator[str]:
    """A fresh localstripe; yields its base URL and stops it afterwards."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own venv's interpreter
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{url}/v1/customers", auth=(STRIPE_SECRET_KEY, ""), timeout=1)
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("localstripe did not start")
            time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def stripe_test_settings(settings, url: str) -> None:
    """This service's Stripe settings pointed at that localstripe, with test keys."""
    settings.STRIPE_API_BASE = url
    settings.STRIPE_SECRET_KEY = STRIPE_SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = STRIPE_PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET


def stripe_call(base: str, secret_key: str, method: str, path: str, data: dict | None = None) -> dict:
    """One call to the Stripe API at `base` (localstripe) as `secret_key`: its JSON answer."""
    response = requests.request(method, f"{base}/v1/{path}", auth=(secret_key, ""), data=data, timeout=30)
    return response.json()


def confirm_with_a_card(base: str, secret_key: str, pi_id: str) -> None:
    """What Stripe.js does in the buyer's browser: confirms the PaymentIntent with a test card."""
    card = {
        "type": "card",
        "card[number]": "4242424242424242",
        "card[exp_month]": "12",
        "card[exp_year]": "2030",
        "card[cvc]": "123",
    }
    pm = stripe_call(base, secret_key, "POST", "payment_methods", card)
    stripe_call(base, secret_key, "POST", f"payment_intents/{pi_id}", {"payment_method": pm["id"]})
    stripe_call(base, secret_key, "POST", f"payment_intents/{pi_id}/confirm")
