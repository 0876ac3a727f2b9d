"""Live: a full checkout on a live Saleor paid through this app's Stripe gateway on localstripe.

Needs this service running (`manage.py dev`) and installed in that Saleor, localstripe as its
STRIPE_API_BASE, and the same Stripe settings in this process's environment:
SALEOR_API_URL, PAYMENTS_LIVE_APP_URL (e.g. http://127.0.0.1:8092), SALEOR_APP_IDENTIFIER,
STRIPE_API_BASE, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET,
SALEOR_STAFF_EMAIL/PASSWORD (default admin@example.com/admin), and for the storefront buyer the channel
that running service sells in, PAYMENTS_LIVE_CHANNEL (default default-channel).

The checkouts made here through Saleor's API are in a shop of the test's own (tests/live_shop.py): its own
channel, authorising at checkout, and products. Payment actions reach the app through Saleor's worker, so
their outcomes are waited for.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import time
from decimal import Decimal

import httpx
import pytest

from tests import localstripe_server
from tests.live_saleor import StaffSession, wait_until
from tests.live_shop import CN_ADDRESS, ProductSpec, Shop, own_shop
from tests.localstripe_server import stripe_call
from tests.storefront.conftest import SHENZHEN_BUYER

pytestmark = [
    pytest.mark.saleor_live,
    pytest.mark.skipif(
        not os.environ.get("PAYMENTS_LIVE_APP_URL"), reason="set PAYMENTS_LIVE_APP_URL (running app)"
    ),
]

STOREFRONT_CHANNEL = os.environ.get("PAYMENTS_LIVE_CHANNEL", "default-channel")  # the running app's
ADDRESS = {"firstName": "伟", "lastName": "李", **CN_ADDRESS}


def gql(query: str, variables: dict | None = None, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        os.environ["SALEOR_API_URL"],
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=60,
    )
    document = response.json()
    assert not document.get("errors"), document["errors"]
    return document["data"]


def ok(payload: dict) -> dict:
    assert payload.get("errors") in (None, []), payload["errors"]
    return payload


def stripe(method: str, path: str, data: dict | None = None) -> dict:
    return stripe_call(os.environ["STRIPE_API_BASE"], os.environ["STRIPE_SECRET_KEY"], method, path, data)


def request_action(transaction_id: str, action: str, staff_token: str) -> None:
    """Staff asks Saleor to charge or cancel the transaction (Saleor then asks the payment app)."""
    ok(
        gql(
            """mutation($id: ID!, $action: TransactionActionEnum!) {
            transactionRequestAction(id: $id, actionType: $action) { errors { field code message } } }""",
            {"id": transaction_id, "action": action},
            staff_token,
        )["transactionRequestAction"]
    )


def confirm_with_a_card(pi_id: str) -> None:
    """What Stripe.js does in the buyer's browser: confirms the PaymentIntent with a test card."""
    base, secret_key = os.environ["STRIPE_API_BASE"], os.environ["STRIPE_SECRET_KEY"]
    localstripe_server.confirm_with_a_card(base, secret_key, pi_id)


@pytest.fixture(scope="module")
def staff_token() -> str:
    return StaffSession(os.environ["SALEOR_API_URL"]).token


@pytest.fixture
def shop() -> Shop:
    """Two products in a channel of the test's own that authorises at checkout (staff capture later)."""
    products = [ProductSpec("实况支付书签", "12.80"), ProductSpec("实况支付笔记本", "45.00")]
    with own_shop(StaffSession(os.environ["SALEOR_API_URL"]), products, flow="AUTHORIZATION") as made:
        yield made


def storefront_variant() -> str:
    """A variant the running app's storefront sells (its channel, PAYMENTS_LIVE_CHANNEL), with stock."""
    edges = gql(
        """query($c: String!) { products(first: 20, channel: $c, where: {isAvailable: true}) {
        edges { node { name variants { id quantityAvailable } } } } }""",
        {"c": STOREFRONT_CHANNEL},
    )["products"]["edges"]
    variants = [
        n["node"]["variants"][0]["id"]
        for n in edges
        if n["node"]["variants"] and (n["node"]["variants"][0]["quantityAvailable"] or 0) > 3
    ]
    assert variants, f"no product with stock in {STOREFRONT_CHANNEL} (PAYMENTS_LIVE_CHANNEL)"
    return variants[0]


def transaction_state(transaction_id: str, token: str) -> dict:
    return gql(
        """query($id: ID!) { transaction(id: $id) { id pspReference
        authorizedAmount { amount } chargedAmount { amount } refundedAmount { amount }
        events { type pspReference amount { amount } } } }""",
        {"id": transaction_id},
        token,
    )["transaction"]


def refund_reason_reference(token: str) -> str | None:
    """A page of the shop's refund-reason type, when the shop requires one for refunds."""
    reason_type = gql("{ refundSettings { reasonReferenceType { id } } }", token=token)["refundSettings"][
        "reasonReferenceType"
    ]
    if not reason_type:
        return None
    pages = gql(
        "query($t: [ID!]) { pages(first: 1, filter: {pageTypes: $t}) { edges { node { id } } } }",
        {"t": [reason_type["id"]]},
        token,
    )["pages"]["edges"]
    assert pages, "the shop requires a refund reason page but has none"
    return pages[0]["node"]["id"]


def signed_event(event_type: str, obj: dict) -> tuple[bytes, str]:
    body = json.dumps(
        {
            "id": f"evt_live_{int(time.time() * 1000)}",
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": obj},
        }
    ).encode()
    t = int(time.time())
    digest = hmac.new(os.environ["STRIPE_WEBHOOK_SECRET"].encode(), f"{t}.".encode() + body, hashlib.sha256)
    return body, f"t={t},v1={digest.hexdigest()}"


def buyer_checkout(shop: Shop) -> tuple[dict, Decimal]:
    """A buyer's checkout with the shop's two products, delivery chosen."""
    first, second = (p.variant_id for p in shop.products)
    checkout = ok(
        gql(
            """mutation($input: CheckoutCreateInput!) { checkoutCreate(input: $input) {
        checkout { id isShippingRequired shippingMethods { id } totalPrice { gross { amount currency } } }
        errors { field code message } } }""",
            {
                "input": {
                    "channel": shop.channel_slug,
                    "email": "buyer@example.com",
                    "shippingAddress": ADDRESS,
                    "billingAddress": ADDRESS,
                    "lines": [{"variantId": first, "quantity": 2}, {"variantId": second, "quantity": 1}],
                }
            },
        )["checkoutCreate"]
    )["checkout"]
    if checkout["isShippingRequired"]:
        ok(
            gql(
                """mutation($id: ID!, $m: ID!) { checkoutDeliveryMethodUpdate(id: $id, deliveryMethodId: $m) {
            errors { field code message } } }""",
                {"id": checkout["id"], "m": checkout["shippingMethods"][0]["id"]},
            )["checkoutDeliveryMethodUpdate"]
        )
    total = gql(
        """query($id: ID!) { checkout(id: $id) { totalPrice { gross { amount currency } } } }""",
        {"id": checkout["id"]},
    )["checkout"]["totalPrice"]["gross"]
    total_amount = Decimal(str(total["amount"]))
    return checkout, total_amount


def test_checkout_paid_by_card_charged_then_partially_refunded(staff_token, shop):
    gateway = os.environ["SALEOR_APP_IDENTIFIER"]
    app_url = os.environ["PAYMENTS_LIVE_APP_URL"].rstrip("/")

    checkout, total_amount = buyer_checkout(shop)

    # Buyer: the storefront learns the gateway config, then starts a transaction.
    configs = ok(
        gql(
            """mutation($id: ID!, $g: [PaymentGatewayToInitialize!]) {
        paymentGatewayInitialize(id: $id, paymentGateways: $g) { gatewayConfigs { id data errors { message } }
        errors { field message } } }""",
            {"id": checkout["id"], "g": [{"id": gateway}]},
        )["paymentGatewayInitialize"]
    )["gatewayConfigs"]
    assert configs[0]["data"]["publishableKey"].startswith("pk_test_")
    assert configs[0]["data"]["testMode"] is True
    init = ok(
        gql(
            """mutation($id: ID!, $g: PaymentGatewayToInitialize!) {
        transactionInitialize(id: $id, paymentGateway: $g) { transaction { id pspReference }
        transactionEvent { type message } data errors { field code message } } }""",
            {"id": checkout["id"], "g": {"id": gateway, "data": {}}},
        )["transactionInitialize"]
    )
    transaction_id = init["transaction"]["id"]
    pi_id = init["transaction"]["pspReference"]
    assert init["transactionEvent"]["type"] in ("AUTHORIZATION_ACTION_REQUIRED", "CHARGE_ACTION_REQUIRED")
    assert init["data"]["clientSecret"].startswith(pi_id)

    # Buyer's browser: Stripe.js confirms the PaymentIntent with a card.
    confirm_with_a_card(pi_id)

    processed = ok(
        gql(
            """mutation($id: ID!) { transactionProcess(id: $id) { transactionEvent { type amount { amount } }
        errors { field code message } } }""",
            {"id": transaction_id},
        )["transactionProcess"]
    )
    assert processed["transactionEvent"]["type"] in ("AUTHORIZATION_SUCCESS", "CHARGE_SUCCESS")
    order = ok(
        gql(
            """mutation($id: ID!) { checkoutComplete(id: $id) {
            order { id number } errors { field code message } } }""",
            {"id": checkout["id"]},
        )["checkoutComplete"]
    )["order"]

    # Staff: capture what the channel only authorised (manual capture), then the order is fully charged.
    assert processed["transactionEvent"]["type"] == "AUTHORIZATION_SUCCESS"
    request_action(transaction_id, "CHARGE", staff_token)
    state = StaffSession(os.environ["SALEOR_API_URL"]).order_charged(order["id"])
    assert Decimal(str(state["totalCharged"]["amount"])) == total_amount

    pi = stripe("GET", f"payment_intents/{pi_id}")
    assert pi["status"] == "succeeded"
    assert pi["amount"] == int(total_amount * 100)
    assert pi["metadata"]["saleor_transaction_id"] == transaction_id
    assert pi["metadata"]["saleor_source_id"] == checkout["id"]
    assert pi["metadata"]["saleor_channel"] == shop.channel_slug

    # Staff: a partial refund in Saleor refunds exactly that in Stripe and is reported back.
    refund_amount = Decimal("1.23")
    reason = refund_reason_reference(staff_token)
    ok(
        gql(
            """mutation($id: ID!, $a: PositiveDecimal!, $r: ID) { transactionRequestAction(id: $id,
            actionType: REFUND, amount: $a, refundReasonReference: $r) { errors { field code message } } }""",
            {"id": transaction_id, "a": str(refund_amount), "r": reason},
            staff_token,
        )["transactionRequestAction"]
    )
    txn = wait_until(
        f"the refund of {refund_amount} on transaction {transaction_id} reported to Saleor",
        lambda: (t := transaction_state(transaction_id, staff_token))["refundedAmount"]["amount"] and t,
    )
    charge_id = pi["latest_charge"]["id"] if isinstance(pi["latest_charge"], dict) else pi["latest_charge"]
    refunds = stripe("GET", f"refunds?charge={charge_id}")["data"]
    assert [r["amount"] for r in refunds] == [123]
    assert Decimal(str(txn["refundedAmount"]["amount"])) == refund_amount
    assert Decimal(str(txn["chargedAmount"]["amount"])) == total_amount - refund_amount

    # Stripe: a refund made in Stripe's dashboard, its webhook delivered three times: Saleor changes once.
    events_before = len(txn["events"])
    dashboard_refund = stripe("POST", "refunds", {"payment_intent": pi_id, "amount": "50"})
    body, signature = signed_event("refund.updated", dashboard_refund)
    answers = [
        httpx.post(
            f"{app_url}/payments/gateway/stripe/webhook",
            content=body,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )
        for _ in range(3)
    ]
    assert [a.json()["stored"] for a in answers] == [True, False, False]
    expected_refunded = refund_amount + Decimal("0.50")
    wait_until(  # the app's worker reports after commit
        f"the dashboard refund reported: {expected_refunded} refunded in all",
        lambda: (
            Decimal(str(transaction_state(transaction_id, staff_token)["refundedAmount"]["amount"]))
            >= expected_refunded
        ),
    )
    time.sleep(3)  # room for a (wrong) second report to land
    after = transaction_state(transaction_id, staff_token)
    assert Decimal(str(after["refundedAmount"]["amount"])) == expected_refunded
    assert Decimal(str(after["chargedAmount"]["amount"])) == total_amount - expected_refunded
    new_events = [e for e in after["events"] if e["pspReference"] == dashboard_refund["id"]]
    assert [(e["type"], Decimal(str(e["amount"]["amount"]))) for e in new_events] == [
        ("REFUND_SUCCESS", Decimal("0.50"))
    ]
    assert len(after["events"]) == events_before + 1


def test_the_payment_page_refuses_a_browser_whose_cart_it_is_not(staff_token, shop):
    app_url = os.environ["PAYMENTS_LIVE_APP_URL"].rstrip("/")
    checkout, _ = buyer_checkout(shop)

    page = httpx.get(f"{app_url}/payments/gateway/pay", params={"checkout": checkout["id"]}, timeout=60)

    assert page.status_code == 403
    assert "This payment link is not for the cart in this browser." in page.text
    transactions = gql(
        "query($id: ID!) { checkout(id: $id) { transactions { id } } }", {"id": checkout["id"]}, staff_token
    )["checkout"]["transactions"]
    assert transactions == []  # nothing was started for a stranger


def test_an_authorisation_canceled_in_saleor_is_released_in_stripe_and_forged_webhooks_are_refused(
    staff_token, shop
):
    gateway = os.environ["SALEOR_APP_IDENTIFIER"]
    app_url = os.environ["PAYMENTS_LIVE_APP_URL"].rstrip("/")
    checkout, total_amount = buyer_checkout(shop)  # the shop's channel authorises: it can be canceled
    cancel_an_authorisation_and_refuse_forged_webhooks(checkout, total_amount, gateway, app_url, staff_token)


def cancel_an_authorisation_and_refuse_forged_webhooks(checkout, total_amount, gateway, app_url, staff_token):
    init = ok(
        gql(
            """mutation($id: ID!, $g: PaymentGatewayToInitialize!) { transactionInitialize(id: $id,
            paymentGateway: $g) { transaction { id pspReference } errors { message } } }""",
            {"id": checkout["id"], "g": {"id": gateway, "data": {}}},
        )["transactionInitialize"]
    )
    transaction_id, pi_id = init["transaction"]["id"], init["transaction"]["pspReference"]
    confirm_with_a_card(pi_id)
    ok(
        gql(
            "mutation($id: ID!) { transactionProcess(id: $id) { errors { message } } }",
            {"id": transaction_id},
        )["transactionProcess"]
    )

    request_action(transaction_id, "CANCEL", staff_token)

    query = (
        "query($id: ID!) { transaction(id: $id) { authorizedAmount { amount } canceledAmount { amount } } }"
    )
    state = wait_until(  # the cancelation reaches the app through Saleor's worker
        f"the cancelation of transaction {transaction_id} recorded in Saleor",
        lambda: (
            (t := gql(query, {"id": transaction_id}, staff_token)["transaction"])["canceledAmount"]["amount"]
            and t
        ),
    )
    assert stripe("GET", f"payment_intents/{pi_id}")["status"] == "canceled"
    assert Decimal(str(state["canceledAmount"]["amount"])) == total_amount
    assert Decimal(str(state["authorizedAmount"]["amount"])) == 0

    body, signature = signed_event("payment_intent.succeeded", stripe("GET", f"payment_intents/{pi_id}"))
    forged = httpx.post(
        f"{app_url}/payments/gateway/stripe/webhook",
        content=body,
        headers={"Stripe-Signature": signature.replace("v1=", "v1=0"), "Content-Type": "application/json"},
    )
    stale_t = int(time.time()) - 3600
    stale_digest = hmac.new(
        os.environ["STRIPE_WEBHOOK_SECRET"].encode(), f"{stale_t}.".encode() + body, hashlib.sha256
    )
    stale = httpx.post(
        f"{app_url}/payments/gateway/stripe/webhook",
        content=body,
        headers={
            "Stripe-Signature": f"t={stale_t},v1={stale_digest.hexdigest()}",
            "Content-Type": "application/json",
        },
    )
    assert (forged.status_code, stale.status_code) == (400, 400)


def csrf_post(buyer: httpx.Client, path: str, data: dict) -> httpx.Response:
    return buyer.post(path, data={**data, "csrfmiddlewaretoken": buyer.cookies["csrftoken"]})


def test_a_storefront_buyer_pays_and_lands_on_the_order_mailed_to_them(staff_token):
    app_url = os.environ["PAYMENTS_LIVE_APP_URL"].rstrip("/")
    variant = storefront_variant()
    buyer = httpx.Client(base_url=app_url, timeout=60, headers={"Referer": app_url})
    buyer.get("/account/login/")  # a page with a form: the CSRF cookie
    assert csrf_post(buyer, "/cart/add/", {"variant": variant, "quantity": 1}).status_code == 302
    assert csrf_post(buyer, "/checkout/", SHENZHEN_BUYER).status_code == 302
    method = re.findall(r'name="method" value="([^"]+)"', buyer.get("/checkout/").text)[0]
    assert csrf_post(buyer, "/checkout/delivery/", {"method": method}).status_code == 302

    handed_over = csrf_post(buyer, "/checkout/pay/", {})
    assert handed_over.status_code == 302
    page = buyer.get(handed_over.headers["Location"])
    assert page.status_code == 200, page.text
    config = json.loads(
        re.search(r'<script id="stripe-config" type="application/json">(.*?)</script>', page.text).group(1)
    )
    pi_id = config["clientSecret"].split("_secret_")[0]
    confirm_with_a_card(pi_id)

    returned = buyer.get(f"{config['returnUrl']}&payment_intent={pi_id}&redirect_status=succeeded")
    paid = buyer.get(returned.headers["Location"])
    order_page = buyer.get(paid.headers["Location"])
    again = buyer.get(returned.headers["Location"])

    assert returned.status_code == 302 and paid.status_code == 302
    assert httpx.URL(paid.headers["Location"]).path.startswith("/orders/")
    assert order_page.status_code == 200
    order_id = httpx.URL(returned.headers["Location"]).params["order"]
    number = gql("query($id: ID!) { order(id: $id) { number } }", {"id": order_id}, staff_token)["order"][
        "number"
    ]
    assert number in order_page.text
    assert (again.status_code, again.headers["Location"]) == (302, "/cart/")  # the cart is gone: once only
