"""The buyer's payment page: one PaymentIntent per cart total, order on success, clear words otherwise.

Stripe.js itself is not driven here: localstripe's test Stripe.js has no Payment Element, so the buyer's
confirmation is made directly against localstripe (what Stripe.js would do)."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from payments.gateway import services
from payments.gateway.models import PaymentIntentRecord
from tests.payments.gateway.saleor_payloads import gid

pytestmark = pytest.mark.django_db

PAY_URL = "/payments/gateway/pay"
RETURN_URL = "/payments/gateway/pay/return"


class StorefrontSaleor:
    """Saleor as the storefront sees it; its sync webhooks call this app's gateway services."""

    def __init__(self, installation) -> None:
        self.installation = installation
        self.checkouts: dict[str, dict] = {}
        self.transactions: dict[str, str] = {}  # idempotency key -> transaction id
        self.last_result: dict[str, str] = {}  # transaction id -> last result
        self.completed: list[str] = []
        self.orders: dict[str, str] = {}  # checkout id -> order id
        self.down = False

    def add_checkout(self, total: str, currency: str = "CNY") -> str:
        checkout_id = gid("Checkout")
        self.checkouts[checkout_id] = {"amount": total, "currency": currency}
        return checkout_id

    def _session(self, checkout_id: str, transaction_id: str, key: str | None) -> dict:
        checkout = self.checkouts[checkout_id]
        payload = {
            "merchantReference": transaction_id,
            "action": {
                "amount": Decimal(checkout["amount"]),
                "currency": checkout["currency"],
                "actionType": "CHARGE",
            },
            "transaction": {"id": transaction_id, "pspReference": ""},
            "sourceObject": {"__typename": "Checkout", "id": checkout_id, "channel": {"slug": "museum-cny"}},
        }
        if key:
            payload["idempotencyKey"] = key
        return payload

    def _payload(self, transaction_id: str, answer: dict) -> dict:
        self.last_result[transaction_id] = answer.get("result", "")
        return {
            "transaction": {"id": transaction_id, "pspReference": answer.get("pspReference", "")},
            "transactionEvent": {"type": answer.get("result"), "message": answer.get("message", "")},
            "data": answer.get("data"),
            "errors": [],
        }

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            return httpx.Response(503)
        body = json.loads(request.content)
        name, variables = body["operationName"], body["variables"]
        assert "authorization" not in request.headers  # the buyer's calls carry no app token
        if name == "PaymentCheckout":
            checkout = self.checkouts.get(variables["id"])
            data = {
                "checkout": checkout
                and {
                    "id": variables["id"],
                    "email": "buyer@example.com",
                    "channel": {"slug": "museum-cny"},
                    "totalPrice": {
                        "gross": {"amount": float(checkout["amount"]), "currency": checkout["currency"]}
                    },
                }
            }
        elif name == "PaymentTransactionInitialize":
            assert variables["gateway"]["id"] == "cn.wenchuang.payments"
            key = variables["idempotencyKey"]
            transaction_id = self.transactions.setdefault(key, gid("TransactionItem"))
            answer = services.transaction_session_initialize(
                installation=self.installation, payload=self._session(variables["id"], transaction_id, key)
            )
            data = {"transactionInitialize": self._payload(transaction_id, answer)}
        elif name == "PaymentTransactionProcess":
            transaction_id = variables["id"]
            checkout_id = next(
                c
                for c in self.checkouts
                if PaymentIntentRecord.objects.filter(
                    saleor_transaction_id=transaction_id, source_id=c
                ).exists()
            )
            answer = services.transaction_session_process(
                installation=self.installation, payload=self._session(checkout_id, transaction_id, None)
            )
            data = {"transactionProcess": self._payload(transaction_id, answer)}
        elif name == "PaymentCheckoutComplete":
            paid = any(r == "CHARGE_SUCCESS" for r in self.last_result.values())
            if paid:
                self.completed.append(variables["id"])
                order = {"id": self.orders.setdefault(variables["id"], gid("Order")), "number": "1042"}
                data = {"checkoutComplete": {"order": order, "errors": []}}
            else:
                data = {
                    "checkoutComplete": {
                        "order": None,
                        "errors": [{"field": None, "code": "CHECKOUT_NOT_FULLY_PAID", "message": "not paid"}],
                    }
                }
        else:
            raise AssertionError(f"unexpected operation {name}")
        return httpx.Response(200, json={"data": data})


@pytest.fixture
def shop(installation, settings):
    settings.SALEOR_APP_IDENTIFIER = "cn.wenchuang.payments"
    fake = StorefrontSaleor(installation)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(installation.api_url).mock(side_effect=fake.handle)
        yield fake


def pay_page(client, checkout_id: str):
    return client.get(PAY_URL, {"checkout": checkout_id})


def client_secret(response) -> str:
    return response.context["stripe_config"]["clientSecret"]


def test_the_payment_page_shows_the_payment_element_for_the_exact_total_with_a_test_marker(
    client, shop, localstripe, localstripe_url
):
    checkout_id = shop.add_checkout("268.80")

    response = pay_page(client, checkout_id)

    html = response.content.decode()
    assert response.status_code == 200
    assert "TEST MODE" in html
    assert f'<script src="{localstripe_url}/js.stripe.com/v3/">' in html
    assert client_secret(response) in html
    pi = localstripe.get(f"payment_intents/{client_secret(response).split('_secret_')[0]}")
    assert (pi["amount"], pi["currency"], pi["metadata"]["saleor_source_id"]) == (26880, "cny", checkout_id)


def test_reloading_or_retrying_the_page_resumes_the_same_payment(client, shop):
    checkout_id = shop.add_checkout("99.00")

    secrets = {client_secret(pay_page(client, checkout_id)) for _ in range(3)}

    assert len(secrets) == 1
    assert PaymentIntentRecord.objects.count() == 1


def test_a_paid_card_completes_the_checkout_and_hands_the_order_to_the_storefront(client, shop, localstripe):
    checkout_id = shop.add_checkout("45.00")
    pi_id = client_secret(pay_page(client, checkout_id)).split("_secret_")[0]
    localstripe.pay(pi_id)

    response = client.get(
        RETURN_URL, {"checkout": checkout_id, "payment_intent": pi_id, "redirect_status": "succeeded"}
    )

    assert response.status_code == 302
    path, query = response["Location"].split("?")
    assert path == "/checkout/paid/"
    assert parse_qs(query) == {"checkout": [checkout_id], "order": [shop.orders[checkout_id]]}
    assert shop.completed == [checkout_id]


def test_a_declined_card_says_so_and_offers_a_retry_without_charging(client, shop, localstripe):
    checkout_id = shop.add_checkout("45.00")
    pi_id = client_secret(pay_page(client, checkout_id)).split("_secret_")[0]
    localstripe.pay(pi_id, card="4000000000000341")

    response = client.get(RETURN_URL, {"checkout": checkout_id, "payment_intent": pi_id})

    html = response.content.decode()
    assert "declined" in html.lower()
    assert "nothing was charged" in html
    assert 'href="/payments/gateway/pay?checkout=' in html
    assert shop.completed == []


def test_an_abandoned_payment_is_not_completed_and_can_be_resumed(client, shop):
    checkout_id = shop.add_checkout("12.00")
    first = client_secret(pay_page(client, checkout_id))
    pi_id = first.split("_secret_")[0]

    response = client.get(RETURN_URL, {"checkout": checkout_id, "payment_intent": pi_id})
    resumed = client_secret(pay_page(client, checkout_id))

    assert "The payment was not completed; nothing was charged." in response.content.decode()
    assert resumed == first
    assert shop.completed == []


def test_an_unknown_cart_gets_a_clear_message(client, shop):
    response = pay_page(client, "Q2hlY2tvdXQ6bm9uZQ==")

    assert response.status_code == 400
    assert "This cart no longer exists or has already been ordered." in response.content.decode()


def test_saleor_down_gets_a_clear_message_not_a_traceback(client, shop):
    shop.down = True

    response = pay_page(client, shop.add_checkout("1.00"))

    assert response.status_code == 400
    assert "The shop is not reachable right now" in response.content.decode()


def test_a_return_for_someone_elses_payment_is_refused(client, shop, localstripe):
    checkout_id = shop.add_checkout("45.00")
    pi_id = client_secret(pay_page(client, checkout_id)).split("_secret_")[0]
    localstripe.pay(pi_id)

    response = client.get(RETURN_URL, {"checkout": shop.add_checkout("1.00"), "payment_intent": pi_id})

    assert "This payment is not known to the Stripe gateway." in response.content.decode()
    assert shop.completed == []
