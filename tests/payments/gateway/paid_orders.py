"""Orders paid through the gateway in localstripe, and their Saleor order deliveries."""

from __future__ import annotations

from dataclasses import dataclass

from tests.orders.payloads import SaleorOrder, two_unit_order
from tests.payments.gateway import saleor_payloads as sp
from tests.payments.gateway.conftest import stripe_event, stripe_signature

STRIPE_WEBHOOK_URL = "/payments/gateway/stripe/webhook"


@dataclass
class PaidOrder:
    order: SaleorOrder
    session: dict  # the TRANSACTION_INITIALIZE_SESSION payload (a checkout's transaction)
    pi: dict  # the PaymentIntent as localstripe has it after the buyer paid

    def payload(self, issued_at: str = "2026-11-27T10:10:00+00:00") -> dict:
        """The OrderChanges delivery: the checkout's transaction, now the order's, with its PaymentIntent."""
        payload = self.order.payload(issued_at)
        payload["order"]["transactions"][0].update(
            id=self.session["transaction"]["id"], pspReference=self.pi["id"]
        )
        return payload


def paid_order(client, signer, localstripe, units, order_id: str) -> PaidOrder:
    """A two-unit order paid by card through the gateway's sync webhooks and localstripe."""
    order = two_unit_order(units, order_id).paid()
    session = sp.session(amount=f"{order.total / 100:.2f}")
    pi_id = sp.deliver(client, signer, "transaction-initialize-session", session).json()["pspReference"]
    localstripe.pay(pi_id)
    return PaidOrder(order, session, localstripe.get(f"payment_intents/{pi_id}"))


def stripe_post(client, event_type: str, obj: dict):
    """Deliver a signed Stripe event to the gateway's webhook."""
    body = stripe_event(event_type, obj)
    return client.post(
        STRIPE_WEBHOOK_URL,
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": stripe_signature(body)},
    )
