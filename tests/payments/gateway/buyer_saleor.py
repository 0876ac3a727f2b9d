"""Saleor as the buyer's payment page sees it: its sync webhooks call this app's gateway services."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx

from payments.gateway import services
from payments.gateway.models import PaymentIntentRecord
from tests.payments.gateway.saleor_payloads import gid


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
