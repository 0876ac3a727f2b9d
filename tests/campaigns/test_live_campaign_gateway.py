"""Live Saleor, this service as its payment app, localstripe as Stripe: campaigns backed through real
checkouts paid through this service's gateway (transaction-initialize/process sync webhooks → Stripe), the
buyers racing for a tier's last items with mixed carts (the tier and another unit's product).

A campaign that fails at its deadline: each backer is refunded through Saleor's granted refund → this
service's refund webhook → Stripe; the refund is in localstripe and in Saleor (granted refund, transaction
event with Stripe's refund id), Saleor's order webhooks bring it to the ledger (the held account back to
0, balanced), the backers are mailed, and the month's settlement pays nothing held nor refunded. A campaign
that succeeds: its tier lines held, released by the agreement at success, and settlement pays only what
was released.

Needs SALEOR_API_URL (staff: SALEOR_STAFF_EMAIL / SALEOR_STAFF_PASSWORD, default admin@example.com /
admin). This service is pytest's live server, installed in that Saleor under a throw-away identifier;
localstripe runs on a free port; nothing else runs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial

import httpx
import pytest
from django.conf import settings as django_settings

from campaigns import selectors, services
from campaigns.models import BackerMail, Campaign, CampaignRefund, Pledge
from core import clock
from orders.models import OrderLine
from payments import selectors as ledger
from payments.models import Account
from payments.settlement import services as settlement
from payments.settlement import statements
from payments.settlement.periods import at_midnight
from saleor_app.app_client import app_client
from tests.live_saleor import StaffSession, wait_until
from tests.localstripe_server import (
    confirm_with_a_card,
    localstripe_running,
    stripe_call,
    stripe_test_settings,
)
from tests.orders import live_order
from tests.storefront.conftest import this_service_installed
from tests.unit_onboarding.factories import platform_finance_user

from . import live
from .live import CHECKOUT_DELIVERY, line_nets

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db(transaction=True)]

TIER_PRICE, BAG_PRICE = "128.00", "88.00"


@pytest.fixture(autouse=True)
def _now():
    """Saleor stamps its orders with the real time: the business clock is not moved here."""


@pytest.fixture
def staff(saleor_api_url) -> StaffSession:
    return StaffSession(saleor_api_url)


@pytest.fixture
def gateway(live_server, settings, saleor_api_url, staff):
    """This service (the live server) installed in Saleor as its Stripe payment app, Stripe = localstripe;
    yields localstripe's URL."""
    with localstripe_running() as stripe_url:
        stripe_test_settings(settings, stripe_url)
        with this_service_installed(
            staff, live_server, settings, saleor_api_url, "cn.wenchuang.campaign-pay"
        ):
            yield stripe_url


@pytest.fixture
def mixed_shop(staff):
    with live.mixed_shop_of(staff, "实况网关众筹折扇", "图书馆网关帆布袋", TIER_PRICE, BAG_PRICE) as made:
        yield made


def stripe(base: str, method: str, path: str, data: dict | None = None) -> dict:
    return stripe_call(base, django_settings.STRIPE_SECRET_KEY, method, path, data)


def buyer_gql(api_url: str, query: str, variables: dict) -> dict:
    """A buyer's call: no token (the storefront's, in the browser)."""
    document = httpx.post(api_url, json={"query": query, "variables": variables}, timeout=120).json()
    assert not document.get("errors"), document["errors"]
    return document["data"]


def campaign_open(staff, shop, *, museum, goal_backers: int, limit: int, title: str) -> Campaign:
    """The museum's live campaign on the shop's first product (its tier, `limit` items)."""
    listing, operator, sku = live.tier_listing(staff, museum, shop.products[0].variant_id)
    tier = (listing.variants.get(sku=sku).pk, limit)
    return live.launched_before_the_orders(museum, listing, operator, title, goal_backers, tier)


def pay_through_the_gateway(api_url: str, stripe_url: str, checkout: dict) -> tuple[str, str, Decimal]:
    """The buyer chooses delivery, starts a transaction with this service's gateway, Stripe.js confirms the
    PaymentIntent with a test card, Saleor asks the app to process it (charged), the checkout completes:
    (order id, PaymentIntent id, total)."""
    method = next(m["id"] for m in checkout["shippingMethods"] if m["active"])
    chosen = buyer_gql(api_url, CHECKOUT_DELIVERY, {"id": checkout["id"], "m": method})
    assert not chosen["checkoutDeliveryMethodUpdate"]["errors"], chosen
    total = Decimal(str(chosen["checkoutDeliveryMethodUpdate"]["checkout"]["totalPrice"]["gross"]["amount"]))
    init = buyer_gql(
        api_url,
        """mutation($id: ID!, $g: PaymentGatewayToInitialize!) { transactionInitialize(id: $id,
        paymentGateway: $g) { transaction { id pspReference } transactionEvent { type message }
        errors { field code message } } }""",
        {"id": checkout["id"], "g": {"id": django_settings.SALEOR_APP_IDENTIFIER, "data": {}}},
    )["transactionInitialize"]
    assert not init["errors"], init["errors"]
    transaction_id, pi_id = init["transaction"]["id"], init["transaction"]["pspReference"]
    assert pi_id.startswith("pi_"), init
    confirm_with_a_card(stripe_url, django_settings.STRIPE_SECRET_KEY, pi_id)
    processed = buyer_gql(
        api_url,
        """mutation($id: ID!) { transactionProcess(id: $id) { transactionEvent { type amount { amount } }
        errors { field code message } } }""",
        {"id": transaction_id},
    )["transactionProcess"]
    assert not processed["errors"], processed["errors"]
    assert processed["transactionEvent"]["type"] == "CHARGE_SUCCESS", processed
    done = buyer_gql(
        api_url,
        "mutation($id: ID!) { checkoutComplete(id: $id) { order { id } errors { field message code } } }",
        {"id": checkout["id"]},
    )["checkoutComplete"]
    assert not done["errors"], done["errors"]
    return done["order"]["id"], pi_id, total


def cart_create(staff, shop, n: int, variants: list[str]) -> dict:
    """A buyer's cart (no account) in the shop's channel, shipping to China."""
    return live.checkout_created(
        partial(buyer_gql, staff.api_url), shop, f"gateway-backer{n}@example.cn", variants
    )


def backed_through_the_gateway(staff, shop, campaign, stripe_url, carts_of: list[list[str]], limit: int):
    """The carts race for the tier's last `limit` items; the winners pay through the gateway and Saleor's
    order webhooks reach this service (the live server): {order id: (PaymentIntent, total, tier line id,
    cart variants)}."""
    carts = [cart_create(staff, shop, n, variants) for n, variants in enumerate(carts_of)]
    outcomes = live.race_for_the_tier(carts)
    assert sorted(outcomes.values()) == ["sold_out"] * (len(carts) - limit) + ["taken"] * limit
    tier = campaign.tiers.get()
    assert (tier.reserved, tier.left) == (limit, 0)
    orders = {}
    for cart in carts:
        if outcomes[cart["id"]] != "taken":
            continue
        order_id, pi_id, total = pay_through_the_gateway(staff.api_url, stripe_url, cart)
        line = next(
            ln
            for ln in staff.gql(
                "query($id: ID!) { order(id: $id) { lines { id productSku } } }", {"id": order_id}
            )["order"]["lines"]
            if ln["productSku"] == tier.sku
        )
        orders[order_id] = (pi_id, total, line["id"], [ln["variant"]["id"] for ln in cart["lines"]])
    # Saleor's ORDER_FULLY_PAID, signed, reaches the live server: each tier line held for the campaign
    wait_until(
        "the paid orders' tier lines held for the campaign (Saleor's order webhooks)",
        lambda: Pledge.objects.filter(campaign=campaign).count() == limit,
    )
    return orders


def held(campaign) -> int:
    return ledger.account_balances().get((Account.Kind.CAMPAIGN_HELD, campaign.party_key, "CNY"), 0)


def month_settled(now_day: date) -> dict[str, int]:
    """The batches of the month holding `now_day`, proposed once it has ended (the business clock's day)."""
    period_start = now_day.replace(day=1)
    period_end = (period_start + timedelta(days=32)).replace(day=1)
    batches = settlement.settlement_run(
        period_start=period_start,
        period_end=period_end,
        actor=platform_finance_user(),
        now=datetime.combine(period_end + timedelta(days=1), datetime.min.time(), UTC),
    )
    return {b.party: b.amount for b in batches}


def month_statements(day: date) -> dict:
    """Every party's statement of the month holding `day` (Beijing)."""
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    rows = statements.statements(start=at_midnight(start), end=at_midnight(end), currency="CNY")
    for s in rows:  # each statement adds up
        assert s.opening + s.sales + s.released - s.fees + s.refunds - s.payouts == s.closing, s.party
    return {s.party: s for s in rows}


def test_a_failed_campaign_paid_through_this_gateway_refunds_each_backer_in_saleor_and_in_stripe(
    gateway, staff, mixed_shop, mailoutbox
):
    """Four buyers race for the tier's last three items (three carts also hold the library's bag); three
    pay through the gateway on localstripe. The campaign (goal: 10 backers) fails at its deadline: each
    backer's tier line and its tax, and nothing else, is refunded through Saleor → this app → Stripe."""
    stripe_url = gateway
    tier_product, bag = mixed_shop.products
    museum, library = live.units_on(mixed_shop, 181)
    campaign = campaign_open(
        staff, mixed_shop, museum=museum, goal_backers=10, limit=3, title="实况网关众筹·失败"
    )
    carts_of = [
        [tier_product.variant_id, bag.variant_id],
        [tier_product.variant_id],
        [tier_product.variant_id, bag.variant_id],
        [tier_product.variant_id, bag.variant_id],
    ]
    orders = backed_through_the_gateway(staff, mixed_shop, campaign, stripe_url, carts_of, limit=3)

    paid = {o: Pledge.objects.get(order_ref=o).paid for o in orders}
    assert set(paid.values()) == {12_800}  # 128.00 a tier line (the test shop charges no tax)
    assert held(campaign) == -3 * 12_800
    for pi_id, total, _line, _variants in orders.values():
        pi = stripe(stripe_url, "GET", f"payment_intents/{pi_id}")
        assert (pi["status"], pi["amount"], pi["currency"]) == ("succeeded", int(total * 100), "cny")
    # the deadline passes: the beat job decides and asks Saleor for every refund, as this app
    mailoutbox.clear()
    outcome = services.campaigns_tick(now=campaign.ends_at + services.DECIDE_GRACE, client=app_client())
    campaign.refresh_from_db()
    assert (campaign.state, campaign.backers_at_decision) == (Campaign.State.FAILED, 3)
    assert outcome["refunds_created"] == 3
    refunds = {r.order_ref: r for r in CampaignRefund.objects.filter(campaign=campaign)}
    assert set(refunds) == set(orders)
    assert {r.status for r in refunds.values()} == {CampaignRefund.Status.REQUESTED}, [
        r.last_error for r in refunds.values()
    ]
    assert {r.amount for r in refunds.values()} == {12_800}

    granted_query = """query($id: ID!) { order(id: $id) { chargeStatus
      grantedRefunds { id status amount { amount } lines { quantity orderLine { id } } }
      transactions { id chargedAmount { amount } refundedAmount { amount }
        events { type pspReference amount { amount } } } } }"""
    for order_id, (pi_id, total, line_id, _variants) in orders.items():
        refund = refunds[order_id]

        def settled(order_id=order_id, refund=refund):
            order = staff.gql(granted_query, {"id": order_id})["order"]
            grant = next(g for g in order["grantedRefunds"] if g["id"] == refund.saleor_granted_refund_id)
            return order if grant["status"] in {"SUCCESS", "FAILURE"} else None

        order = wait_until(f"the campaign refund of {order_id} settled in Saleor", settled)
        grant = next(g for g in order["grantedRefunds"] if g["id"] == refund.saleor_granted_refund_id)
        assert grant["status"] == "SUCCESS"
        assert Decimal(str(grant["amount"]["amount"])) == Decimal(TIER_PRICE)
        assert [(ln["orderLine"]["id"], ln["quantity"]) for ln in grant["lines"]] == [(line_id, 1)]

        # in Stripe (localstripe): one refund of the tier line, on the buyer's PaymentIntent
        pi = stripe(stripe_url, "GET", f"payment_intents/{pi_id}")
        charge = pi["latest_charge"]["id"] if isinstance(pi["latest_charge"], dict) else pi["latest_charge"]
        in_stripe = stripe(stripe_url, "GET", f"refunds?charge={charge}")["data"]
        assert [(r["amount"], r["status"]) for r in in_stripe] == [(12_800, "succeeded")]
        assert in_stripe[0]["metadata"]["saleor_transaction_id"] == order["transactions"][0]["id"]

        # and in Saleor's transaction: REFUND_SUCCESS with Stripe's refund id; the rest stays charged
        (txn,) = order["transactions"]
        events = [(e["type"], e["pspReference"]) for e in txn["events"] if e["type"].startswith("REFUND")]
        assert ("REFUND_SUCCESS", in_stripe[0]["id"]) in events
        assert Decimal(str(txn["refundedAmount"]["amount"])) == Decimal(TIER_PRICE)
        assert Decimal(str(txn["chargedAmount"]["amount"])) == total - Decimal(TIER_PRICE)

    # Saleor's ORDER_REFUNDED reaches the live server: the held money goes back, nothing else moves
    wait_until("the refunds posted to the ledger (Saleor's order webhooks)", lambda: held(campaign) == 0)
    assert ledger.transactions_unbalanced() == []
    for order_id, (_pi, _total, line_id, variants) in orders.items():
        assert line_nets(order_id, line_id) == {}  # the tier line: paid and refunded, every party at zero
        bag_refs = [r for r in ledger.order_line_nets(order_ref=order_id) if r not in (line_id, "shipping")]
        bag_refs = [r for r in bag_refs if not r.startswith(f"{line_id}:")]
        if bag.variant_id in variants:
            (bag_ref,) = bag_refs
            assert campaign.party_key not in line_nets(order_id, bag_ref)
            assert library.party_key in line_nets(order_id, bag_ref)  # the bag stays sold, split at payment

    # each backer mailed once: failed, refunded in full
    backer_mails = [m for m in mailoutbox if "did not reach its goal" in m.subject]
    assert len(backer_mails) == 3 and all("¥128.00" in m.body for m in backer_mails)
    assert BackerMail.objects.filter(campaign=campaign, sent_at__isnull=False).count() == 3

    # statistics: launched, not succeeded, what it had raised from whom
    today = clock.today()
    start = datetime.combine(today.replace(day=1), datetime.min.time(), UTC) - timedelta(days=1)
    figures = {f.unit_id: f for f in selectors.bureau_campaign_figures(start, start + timedelta(days=40))}
    row = figures[museum.pk]
    assert (row.launched, row.succeeded, row.raised, row.backers) == (1, 0, 3 * 12_800, 3)

    # the campaign's statement: held at payment, refunded, nothing released, nothing left
    row = month_statements(today)[campaign.party_key]
    assert (row.sales, row.released, row.refunds, row.closing) == (3 * 12_800, 0, -3 * 12_800, 0)

    # the month's settlement: nothing of the campaign nor of its refunded tier lines is paid
    by_party = month_settled(today)
    assert campaign.party_key not in by_party
    bags = sum(1 for _p, _t, _l, v in orders.values() if bag.variant_id in v)
    assert by_party.get(library.party_key, 0) == bags * 5_280  # 60 % of each bag of 88.00


def test_a_succeeded_campaign_paid_through_this_gateway_releases_and_settles_only_what_was_released(
    gateway, staff, mixed_shop, settings
):
    """Three buyers, each the tier and the library's bag, race for the tier's last two items; two pay
    through the gateway. The campaign (goal: 2 backers) succeeds; one backer's tier parcel had shipped. Per
    tier line of 128.00 (unit 60 %, entity 25 %, staff pool 5 %, platform 10 %), 30 % at success: shipped,
    all: 7,680 / 3,200 / 640 / 1,280; the other 3,840 → 2,304 / 960 / 192 / 384, 8,960 still held. The
    month's settlement pays the museum what was released (and its shipping), never what is held."""
    settings.CAMPAIGN_RELEASE_AT_SUCCESS_BPS = 3000
    stripe_url = gateway
    tier_product, bag = mixed_shop.products
    museum, library = live.units_on(mixed_shop, 183)
    campaign = campaign_open(
        staff, mixed_shop, museum=museum, goal_backers=2, limit=2, title="实况网关众筹·成功"
    )
    carts_of = [[tier_product.variant_id, bag.variant_id] for _ in range(3)]
    orders = backed_through_the_gateway(staff, mixed_shop, campaign, stripe_url, carts_of, limit=2)
    assert held(campaign) == -2 * 12_800

    first, second = orders
    live_order.fulfil(app_client(), first, orders[first][2], 1, tier_product.warehouse_id, "SF-GATEWAY-1")
    wait_until(  # Saleor's ORDER_UPDATED (fulfilment) reaches the live server: the line is shipped
        "the first backer's tier parcel recorded as shipped",
        lambda: OrderLine.objects.filter(saleor_id=orders[first][2], quantity_fulfilled=1).exists(),
    )

    services.campaigns_tick(now=campaign.ends_at + services.DECIDE_GRACE, client=app_client())
    campaign.refresh_from_db()
    assert (campaign.state, campaign.backers_at_decision) == (Campaign.State.SUCCEEDED, 2)
    unit, entity, pool = museum.party_key, museum.operating_entity.party_key, f"staff_pool:{museum.uid}"
    assert line_nets(first, orders[first][2]) == {unit: 7_680, entity: 3_200, pool: 640, "platform": 1_280}
    assert line_nets(second, orders[second][2]) == {
        campaign.party_key: 8_960,
        unit: 2_304,
        entity: 960,
        pool: 192,
        "platform": 384,
    }
    assert held(campaign) == -8_960
    assert ledger.transactions_unbalanced() == []
    assert not CampaignRefund.objects.filter(campaign=campaign).exists()

    today = clock.today()
    start = datetime.combine(today.replace(day=1), datetime.min.time(), UTC) - timedelta(days=1)
    figures = {f.unit_id: f for f in selectors.bureau_campaign_figures(start, start + timedelta(days=40))}
    row = figures[museum.pk]
    assert (row.launched, row.succeeded, row.raised, row.backers) == (1, 1, 2 * 12_800, 2)

    rows = month_statements(today)  # the campaign's row: held, released, still held; the museum's release
    assert (rows[campaign.party_key].sales, rows[campaign.party_key].released) == (
        2 * 12_800,
        -(12_800 + 3_840),
    )
    assert rows[campaign.party_key].closing == 8_960
    assert rows[unit].released == 7_680 + 2_304

    by_party = month_settled(today)
    assert campaign.party_key not in by_party
    shipping = sum(line_nets(o, "shipping").get(unit, 0) for o in orders)
    assert by_party[unit] == 7_680 + 2_304 + shipping
    assert by_party[library.party_key] == 2 * 5_280


def test_a_payment_after_its_reservation_expired_refunds_the_items_past_the_limit_in_saleor_and_stripe(
    gateway, staff, mixed_shop, mailoutbox
):
    """The tier's last item: the first buyer (the tier and the library's bag) goes to pay, leaves the page
    open past CAMPAIGN_RESERVATION_MINUTES, the item goes back and the second buyer takes it and pays; then
    the first buyer pays. Their order stands, but its tier item, past the limit, is refunded at once through
    Saleor → this app → Stripe (the bag stays sold), the buyer is told, and it is never counted as raised."""
    stripe_url = gateway
    tier_product, bag = mixed_shop.products
    museum, library = live.units_on(mixed_shop, 185)
    campaign = campaign_open(
        staff, mixed_shop, museum=museum, goal_backers=5, limit=1, title="实况网关众筹·超限"
    )
    late, prompt = (
        cart_create(staff, mixed_shop, n, variants)
        for n, variants in enumerate([[tier_product.variant_id, bag.variant_id], [tier_product.variant_id]])
    )
    services.tiers_reserve(checkout_ref=late["id"], lines=[(tier_product.variant_id, 1)])
    later = clock.now() + timedelta(minutes=django_settings.CAMPAIGN_RESERVATION_MINUTES + 1)
    assert services.reservations_expire(now=later) == 1  # abandoned, as far as anyone can tell
    services.tiers_reserve(checkout_ref=prompt["id"], lines=[(tier_product.variant_id, 1)])
    prompt_order, _pi, _total = pay_through_the_gateway(staff.api_url, stripe_url, prompt)
    late_order, late_pi, late_total = pay_through_the_gateway(staff.api_url, stripe_url, late)
    wait_until(
        "both orders' tier lines posted (Saleor's order webhooks)",
        lambda: Pledge.objects.filter(campaign=campaign).count() == 2,
    )
    tier = campaign.tiers.get()
    assert (tier.reserved, tier.left) == (1, 0)  # never past the limit
    refund = wait_until(
        "the over-limit refund recorded",
        lambda: CampaignRefund.objects.filter(kind=CampaignRefund.Kind.OVER_LIMIT).first(),
    )
    assert (refund.order_ref, refund.quantity, refund.amount) == (late_order, 1, 12_800)
    late_line = refund.lines[0][0]
    # the mail goes once the refund's transaction has committed, a moment after the row can be read
    wait_until(
        "the buyer told of the sold-out item",
        lambda: any("sold out" in m.subject and "¥128.00" in m.body for m in mailoutbox),
    )
    p = selectors.progress(campaign)
    assert (p.backers, p.raised) == (1, 12_800)

    # the beat job asks Saleor as this app; Saleor asks the app's refund webhook; Stripe refunds
    assert services.campaigns_tick(client=app_client())["attempted"] == 1
    refund.refresh_from_db()
    assert refund.status == CampaignRefund.Status.REQUESTED, refund.last_error
    query = """query($id: ID!) { order(id: $id) {
      grantedRefunds { id status amount { amount } lines { quantity orderLine { id } } }
      transactions { refundedAmount { amount } chargedAmount { amount } events { type pspReference } } } }"""

    def settled():
        order = staff.gql(query, {"id": late_order})["order"]
        grant = next(g for g in order["grantedRefunds"] if g["id"] == refund.saleor_granted_refund_id)
        return order if grant["status"] in {"SUCCESS", "FAILURE"} else None

    order = wait_until("the over-limit refund settled in Saleor", settled)
    (grant,) = order["grantedRefunds"]
    assert grant["status"] == "SUCCESS"
    assert [(ln["orderLine"]["id"], ln["quantity"]) for ln in grant["lines"]] == [(late_line, 1)]
    pi = stripe(stripe_url, "GET", f"payment_intents/{late_pi}")
    charge = pi["latest_charge"]["id"] if isinstance(pi["latest_charge"], dict) else pi["latest_charge"]
    (in_stripe,) = stripe(stripe_url, "GET", f"refunds?charge={charge}")["data"]
    assert (in_stripe["amount"], in_stripe["status"]) == (12_800, "succeeded")
    (txn,) = order["transactions"]
    assert ("REFUND_SUCCESS", in_stripe["id"]) in [(e["type"], e["pspReference"]) for e in txn["events"]]
    assert Decimal(str(txn["chargedAmount"]["amount"])) == late_total - Decimal(TIER_PRICE)

    # Saleor's ORDER_REFUNDED: only the prompt buyer's item stays held; the bag stays the library's
    wait_until("the over-limit refund posted to the ledger", lambda: held(campaign) == -12_800)
    assert line_nets(late_order, late_line) == {}
    assert ledger.transactions_unbalanced() == []
    bag_refs = [
        r
        for r in ledger.order_line_nets(order_ref=late_order)
        if r not in ("shipping", late_line) and not r.startswith(f"{late_line}:")
    ]
    (bag_ref,) = bag_refs
    assert library.party_key in line_nets(late_order, bag_ref)
    assert prompt_order != late_order
