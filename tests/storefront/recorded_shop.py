"""The storefront's Saleor played from recorded scenes, its payment operations by a double that runs this
app's gateway services (as Saleor's sync webhooks would), and localstripe as Stripe: what the browser
journeys without a live Saleor buy from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import httpx
import respx

from catalog import saleor_metadata as keys
from tests.conftest import RECORDED_API_URL
from tests.factories import SaleorInstallationFactory
from tests.localstripe_server import localstripe_running, stripe_test_settings
from tests.payments.gateway.buyer_saleor import StorefrontSaleor
from tests.recording import load_exchange
from tests.unit_onboarding.factories import UnitFactory
from unit_onboarding.models import Unit

UNITS = ["三峡博物馆", "重庆图书馆"]
MUSEUM = load_exchange("StorefrontProduct.museum")["response"]["data"]["product"]
LIBRARY = load_exchange("StorefrontProduct.library")["response"]["data"]["product"]
READY = load_exchange("StorefrontCheckout.ready")
ORDER = load_exchange("StorefrontOrder")["response"]["data"]["order"]


def unit_id_of(product: dict) -> int:
    return int(next(m["value"] for m in product["metadata"] if m["key"] == keys.UNIT_ID))


class RecordedSaleor:
    """Saleor at the HTTP edge: the storefront scenes the test plays now; payment operations go to the
    double that runs this app's gateway services (as Saleor's sync webhooks would)."""

    def __init__(self, payments: StorefrontSaleor) -> None:
        self.payments = payments
        self.exchanges: dict[str, dict] = {}

    def play(self, *recordings: str) -> None:
        self.exchanges = {e["operationName"]: e for e in map(load_exchange, recordings)}

    def handle(self, request: httpx.Request) -> httpx.Response:
        name = json.loads(request.content).get("operationName") or ""
        if name.startswith("Payment"):
            return self.payments.handle(request)
        if name not in self.exchanges:
            return httpx.Response(599, json={"errors": [{"message": f"no recording for operation {name}"}]})
        return httpx.Response(self.exchanges[name]["status"], json=self.exchanges[name]["response"])


@contextmanager
def recorded_shop(settings) -> Iterator[RecordedSaleor]:
    """The two recorded units, the recorded cart payable on a fresh localstripe, Saleor mocked at its URL."""
    settings.SALEOR_API_URL = RECORDED_API_URL
    settings.SALEOR_APP_IDENTIFIER = "cn.wenchuang.payments"
    UnitFactory(pk=unit_id_of(MUSEUM), status=Unit.Status.ACTIVE, display_name=UNITS[0])
    UnitFactory(pk=unit_id_of(LIBRARY), status=Unit.Status.ACTIVE, display_name=UNITS[1])
    payments = StorefrontSaleor(SaleorInstallationFactory(api_url=RECORDED_API_URL))
    # The recorded cart, at its recorded total, is the checkout the payment page pays.
    gross = READY["response"]["data"]["checkout"]["totalPrice"]["gross"]
    payments.checkouts[READY["variables"]["id"]] = {
        "amount": str(Decimal(gross["fractionalAmount"]) / 10 ** gross["fractionDigits"]),
        "currency": gross["currency"],
    }
    recorded = RecordedSaleor(payments)
    with localstripe_running() as stripe_url, respx.mock(assert_all_called=False) as mock:
        stripe_test_settings(settings, stripe_url)
        mock.post(RECORDED_API_URL).mock(side_effect=recorded.handle)
        yield recorded
