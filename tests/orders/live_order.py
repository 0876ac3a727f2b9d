"""A real order in the live Saleor, placed as staff would in the Dashboard, read with our fragment."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from saleor_app.operations import subscription
from tests.live_saleor import StaffSession, gql, wait_until
from tests.live_shop import CN_ADDRESS

ADDRESS = {"firstName": "明", "lastName": "王", **CN_ADDRESS}  # the test shops ship to China


def projection_query() -> str:
    """The subscription's fragments, asked as a staff query: the very shape a delivery carries."""
    text = subscription("order_changes")
    fragments = text[text.index("\nfragment ") :]  # all of them: its own, then the shared ones it spreads
    return "query LiveOrder($id: ID!) { order(id: $id) { ...OrderProjection } }\n" + fragments


def delivery(staff: StaffSession, order_id: str) -> dict:
    order = staff.gql(projection_query(), {"id": order_id})["order"]
    return {"issuedAt": datetime.now(UTC).isoformat(), "version": "3.24", "order": order}


def _ok(payload: dict) -> dict:
    assert not payload.get("errors"), payload["errors"]
    return payload


def fulfil(client, order_id: str, line_id: str, quantity: int, warehouse_id: str, tracking: str) -> None:
    """Ships `quantity` of one order line from the warehouse, with its tracking number (the app's client)."""
    client.mutate(
        "OrderFulfill",
        {
            "order": order_id,
            "input": {
                "lines": [
                    {"orderLineId": line_id, "stocks": [{"quantity": quantity, "warehouse": warehouse_id}]}
                ],
                "trackingNumber": tracking,
            },
        },
        "orderFulfill",
    )


def voucher_create(staff: StaffSession, channel_id: str, amount: str) -> tuple[str, str]:
    code = f"WC-{uuid.uuid4().hex[:8].upper()}"
    voucher = _ok(
        staff.gql(
            "mutation($i: VoucherInput!) { voucherCreate(input: $i)"
            " { voucher { id } errors { field message } } }",
            {"i": {"name": code, "addCodes": [code], "type": "ENTIRE_ORDER", "discountValueType": "FIXED"}},
        )["voucherCreate"]
    )["voucher"]
    _ok(
        staff.gql(
            "mutation($id: ID!, $i: VoucherChannelListingInput!)"
            " { voucherChannelListingUpdate(id: $id, input: $i) { errors { field message } } }",
            {"id": voucher["id"], "i": {"addChannels": [{"channelId": channel_id, "discountValue": amount}]}},
        )["voucherChannelListingUpdate"]
    )
    return voucher["id"], code


def voucher_delete(staff: StaffSession, voucher_id: str) -> None:
    staff.gql("mutation($id: ID!) { voucherDelete(id: $id) { errors { message } } }", {"id": voucher_id})


def order_place(
    staff: StaffSession, *, channel_id: str, variants: list[tuple[str, int]], voucher: str | None = None
) -> str:
    """A completed order of the given variants with a shipping method (and a voucher, if given)."""
    draft = _ok(
        staff.gql(
            "mutation($i: DraftOrderCreateInput!) { draftOrderCreate(input: $i)"
            " { order { id shippingMethods { id active price { amount } } } errors { field message } } }",
            {
                "i": {
                    "channelId": channel_id,
                    "userEmail": "buyer@example.cn",
                    "lines": [{"variantId": v, "quantity": q} for v, q in variants],
                    "shippingAddress": ADDRESS,
                    "billingAddress": ADDRESS,
                    **({"voucherCode": voucher} if voucher else {}),
                }
            },
        )["draftOrderCreate"]
    )["order"]
    active = [m for m in draft["shippingMethods"] if m["active"]]  # the variants are shippable
    # a priced method when there is one: a shipping refund then has something to give back
    method = max(active, key=lambda m: m["price"]["amount"] > 0)["id"]
    _ok(
        staff.gql(
            "mutation($id: ID!, $i: DraftOrderInput!) { draftOrderUpdate(id: $id, input: $i)"
            " { errors { field message } } }",
            {"id": draft["id"], "i": {"shippingMethod": method}},
        )["draftOrderUpdate"]
    )
    _ok(
        staff.gql(
            "mutation($id: ID!) { draftOrderComplete(id: $id) { errors { field message } } }",
            {"id": draft["id"]},
        )["draftOrderComplete"]
    )
    return draft["id"]


class _RefundResponder(BaseHTTPRequestHandler):
    """A payment app's TRANSACTION_REFUND_REQUESTED answer: the refund succeeded, for the amount asked."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        answer = json.dumps(
            {
                "pspReference": f"re_{uuid.uuid4().hex[:12]}",
                "result": "REFUND_SUCCESS",
                "amount": body["action"]["amount"],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


@dataclass(frozen=True)
class PaymentApp:
    """A throw-away app owning the order's transaction, so Saleor sends it refund requests."""

    id: str
    token: str
    api_url: str

    def gql(self, query: str, **variables) -> dict:
        return gql(self.api_url, self.token, query, **variables)


@contextmanager
def payment_app(staff: StaffSession) -> Iterator[PaymentApp]:
    """An app with HANDLE_PAYMENTS whose refund webhook (served here) reports every refund succeeded."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RefundResponder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    created = _ok(
        staff.gql(
            "mutation($i: AppInput!) { appCreate(input: $i)"
            " { authToken app { id } errors { field message } } }",
            {
                "i": {
                    "name": "wenchuang split2 live payments",
                    "identifier": f"wenchuang.split2-live-{uuid.uuid4().hex[:8]}",
                    "permissions": ["HANDLE_PAYMENTS", "MANAGE_ORDERS"],
                }
            },
        )["appCreate"]
    )
    app = PaymentApp(created["app"]["id"], created["authToken"], staff.api_url)
    try:
        _ok(
            staff.gql(
                "mutation($i: WebhookCreateInput!) { webhookCreate(input: $i) { errors { field message } } }",
                {
                    "i": {
                        "name": "refund requested",
                        "app": app.id,
                        "targetUrl": f"http://127.0.0.1:{server.server_port}/refund",
                        "syncEvents": ["TRANSACTION_REFUND_REQUESTED"],
                        "isActive": True,
                        "query": "subscription { event { ... on TransactionRefundRequested"
                        " { action { amount } } } }",
                    }
                },
            )["webhookCreate"]
        )
        yield app
    finally:
        staff.delete_app(app.id)
        server.shutdown()


def charge(app: PaymentApp, order_id: str, amount: str, currency: str) -> str:
    """Record a charge as a payment app does (a CHARGE_SUCCESS event on the app's transaction)."""
    return _ok(
        app.gql(
            "mutation($id: ID!, $t: TransactionCreateInput!) { transactionCreate(id: $id, transaction: $t)"
            " { transaction { id } errors { field message } } }",
            id=order_id,
            t={
                "name": "live-test",
                "pspReference": f"pi_{uuid.uuid4().hex[:12]}",
                "amountCharged": {"amount": amount, "currency": currency},
                "availableActions": ["REFUND"],
            },
        )["transactionCreate"]
    )["transaction"]["id"]


def refund(app: PaymentApp, transaction_id: str, amount: str) -> None:
    """A refund the app reports with no granted refund behind it (say, made in Stripe's dashboard)."""
    _ok(
        app.gql(
            "mutation($id: ID!, $a: PositiveDecimal!, $p: String!) { transactionEventReport(id: $id,"
            " type: REFUND_SUCCESS, amount: $a, pspReference: $p) { errors { field code message } } }",
            id=transaction_id,
            a=amount,
            p=f"re_{uuid.uuid4().hex[:12]}",
        )["transactionEventReport"]
    )


def refund_granted(
    staff: StaffSession, order_id: str, transaction_id: str, *, lines=(), shipping: bool = False
) -> int:
    """Grant a refund of (line id, quantity) and/or shipping as staff do, then refund it; its fen, once Saleor
    has recorded the refund (the request goes to the payment app through Saleor's worker)."""
    extra = {}
    reason_type = staff.gql("{ refundSettings { reasonReferenceType { id } } }")["refundSettings"][
        "reasonReferenceType"
    ]
    if reason_type:  # the shop asks for a reason (a Page of that type), as the Dashboard's picker offers
        pages = staff.gql(
            "query($t: [ID!]) { pages(first: 1, filter: {pageTypes: $t}) { edges { node { id } } } }",
            {"t": [reason_type["id"]]},
        )["pages"]["edges"]
        extra = {"reason": "live test", "reasonReference": pages[0]["node"]["id"]}
    granted = _ok(
        staff.gql(
            "mutation($id: ID!, $i: OrderGrantRefundCreateInput!)"
            " { orderGrantRefundCreate(id: $id, input: $i)"
            " { grantedRefund { id amount { fractionalAmount } } errors { field code message } } }",
            {
                "id": order_id,
                "i": {
                    "lines": [{"id": ref, "quantity": q} for ref, q in lines],
                    "grantRefundForShipping": shipping,
                    "transactionId": transaction_id,
                    **extra,
                },
            },
        )["orderGrantRefundCreate"]
    )["grantedRefund"]
    _ok(
        staff.gql(
            "mutation($g: ID!, $t: ID!)"
            " { transactionRequestRefundForGrantedRefund(grantedRefundId: $g, id: $t)"
            " { errors { field code message } } }",
            {"g": granted["id"], "t": transaction_id},
        )["transactionRequestRefundForGrantedRefund"]
    )
    query = "query($id: ID!) { order(id: $id) { grantedRefunds { id status } } }"

    def settled() -> str | None:
        refunds = staff.gql(query, {"id": order_id})["order"]["grantedRefunds"]
        status = next(g["status"] for g in refunds if g["id"] == granted["id"])
        return status if status in {"SUCCESS", "FAILURE"} else None

    assert wait_until(f"granted refund {granted['id']} to be refunded", settled) == "SUCCESS"
    return granted["amount"]["fractionalAmount"]
