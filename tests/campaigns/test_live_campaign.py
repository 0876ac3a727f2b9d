"""Live Saleor: a campaign's tier bought in a real Saleor order, held for the campaign; the campaign fails
and its backer is refunded in full through Saleor's granted refund and the order's payment app; a campaign
backed through real checkouts by several buyers with mixed carts, racing for its last items, succeeds and
releases to each party."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaigns import services
from campaigns.models import Campaign, CampaignRefund, Reservation
from core import clock
from payments import selectors as ledger
from payments.models import Account
from payments.settlement import services as settlement
from saleor_app.client import SaleorClient
from tests.catalog.factories import make_listing
from tests.live_saleor import wait_until
from tests.live_shop import ProductSpec, own_shop
from tests.orders import live_order
from tests.orders.conftest import unit_with_agreement
from tests.saleor_app.test_live_saleor import staff  # noqa: F401 (the fixture)
from tests.unit_onboarding.factories import operator_of, platform_finance_user

from . import live
from .live import CHECKOUT_DELIVERY, line_nets

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _now():
    """Saleor stamps its orders with the real time: the business clock is not moved here."""


@pytest.fixture
def shop(staff):  # noqa: F811 (the fixture)
    with own_shop(staff, [ProductSpec("实况众筹折扇", "128.00", warehouse=0)], warehouses=1) as made:
        yield made


GRANTED_REFUNDS = "query($id: ID!) { order(id: $id) { grantedRefunds { id status } } }"


def refunded_through_saleor(staff, deliver, order_id: str, paid: int, waiting_for: str) -> None:  # noqa: F811 (the fixture)
    """The campaign's one refund, asked of Saleor for all that was `paid`, succeeds there, and the order's
    refund delivery is processed."""
    refund = CampaignRefund.objects.get()
    assert refund.status == CampaignRefund.Status.REQUESTED, refund.last_error
    assert refund.amount == paid

    def settled():
        grants = staff.gql(GRANTED_REFUNDS, {"id": order_id})["order"]["grantedRefunds"]
        status = next(g["status"] for g in grants if g["id"] == refund.saleor_granted_refund_id)
        return status if status in {"SUCCESS", "FAILURE"} else None

    assert wait_until(waiting_for, settled) == "SUCCESS"
    event = deliver("order_refunded", live_order.delivery(staff, order_id))
    assert event.status == "done", event.last_error


def backed(saleor_api_url, deliver, app, staff, shop, *, goal_backers: int):  # noqa: F811 (the fixture)
    """A museum's live campaign whose tier a real Saleor order backs (2 items, charged through the payment
    app, fulfilled): (campaign, order id, Saleor's line, client, fen paid for the line)."""
    product = shop.products[0]
    order_id = live_order.order_place(staff, channel_id=shop.channel_id, variants=[(product.variant_id, 2)])
    placed = live_order.delivery(staff, order_id)["order"]
    line = placed["lines"][0]
    museum = unit_with_agreement(93)
    type(museum).objects.filter(pk=museum.pk).update(saleor_warehouse_id=product.warehouse_id)
    museum.refresh_from_db()
    operator = operator_of(museum)
    listing = make_listing(museum, operator, skus=(line["productSku"], f"{line['productSku']}-other"))
    campaign = live.launched_before_the_orders(
        museum,
        listing,
        operator,
        "实况众筹",
        goal_backers,
        (listing.variants.get(sku=line["productSku"]).pk, None),
    )
    total = placed["total"]["gross"]
    assert live_order.charge(app, order_id, str(total["fractionalAmount"] / 100), total["currency"])
    client = SaleorClient(saleor_api_url, staff.token)
    live_order.fulfil(client, order_id, line["id"], 2, product.warehouse_id, "SF-LIVE-CAMPAIGN")

    event = deliver("order_fully_paid", live_order.delivery(staff, order_id))

    assert event.status == "done", event.last_error
    paid = line["totalPrice"]["gross"]["fractionalAmount"]
    held = ledger.account_balances().get((Account.Kind.CAMPAIGN_HELD, campaign.party_key, "CNY"))
    assert held == -paid  # the tier line and its tax, held whole

    return campaign, order_id, line, client, paid


def test_a_backed_tier_is_held_and_refunded_in_full_when_the_campaign_fails(
    saleor_api_url,
    deliver,
    app,
    staff,  # noqa: F811 (the fixture)
    shop,
    time_machine,
):
    campaign, order_id, _line, client, paid = backed(
        saleor_api_url, deliver, app, staff, shop, goal_backers=100
    )
    time_machine.move_to(campaign.ends_at + services.DECIDE_GRACE, tick=True)
    services.campaigns_tick(client=client)
    refunded_through_saleor(staff, deliver, order_id, paid, "the campaign refund to be refunded")
    assert ledger.account_balances().get((Account.Kind.CAMPAIGN_HELD, campaign.party_key, "CNY"), 0) == 0
    assert ledger.transactions_unbalanced() == []


def test_a_succeeded_campaign_cancelled_after_its_release_takes_the_refund_back_from_the_parties(
    saleor_api_url,
    deliver,
    app,
    staff,  # noqa: F811 (the fixture)
    shop,
    time_machine,
    settings,
):
    settings.CAMPAIGN_RELEASE_AT_SUCCESS_BPS = 3000
    campaign, order_id, line, client, paid = backed(saleor_api_url, deliver, app, staff, shop, goal_backers=1)
    time_machine.move_to(campaign.ends_at + services.DECIDE_GRACE, tick=True)
    services.campaigns_tick(
        client=client
    )  # succeeded: 30 % of the line, and its tax, released (shipped: all)
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.SUCCEEDED
    parties = {p for p, _a, _f in ledger.order_line_nets(order_ref=order_id)[line["id"]]}
    assert campaign.unit.party_key in parties and "platform" in parties

    asked = services.campaign_cancel_request(campaign=campaign, actor=campaign.created_by, reason="实况取消")
    services.campaign_cancel_confirm(cancellation_id=asked.pk, actor=platform_finance_user())
    services.campaigns_tick(client=client)
    refunded_through_saleor(staff, deliver, order_id, paid, "the cancellation's refund to be refunded")
    for ref in (line["id"], f"{line['id']}:tax"):
        assert line_nets(order_id, ref) == {}, ref  # every party, and the campaign, back to zero
    assert ledger.account_balances().get((Account.Kind.CAMPAIGN_HELD, campaign.party_key, "CNY"), 0) == 0
    assert ledger.transactions_unbalanced() == []


@pytest.fixture
def mixed_shop(staff):  # noqa: F811 (the fixture)
    with live.mixed_shop_of(staff, "实况众筹书签", "图书馆帆布袋", "128.00", "88.00") as made:
        yield made


def checkout_pay(staff, app, checkout: dict) -> str:  # noqa: F811 (the fixture's name)
    """Delivery chosen, charged in full by the payment app (its transaction on the checkout), completed:
    Saleor's order made from the checkout."""
    method = next(m["id"] for m in checkout["shippingMethods"] if m["active"])
    chosen = staff.gql(CHECKOUT_DELIVERY, {"id": checkout["id"], "m": method})["checkoutDeliveryMethodUpdate"]
    assert not chosen["errors"], chosen["errors"]
    gross = chosen["checkout"]["totalPrice"]["gross"]
    assert live_order.charge(app, checkout["id"], str(gross["amount"]), gross["currency"])
    done = staff.gql(live.CHECKOUT_COMPLETE, {"id": checkout["id"]})["checkoutComplete"]
    assert not done["errors"], done["errors"]
    assert done["order"]["checkoutId"] == checkout["id"]
    return done["order"]["id"]


@pytest.mark.django_db(transaction=True)  # the racing checkouts take the tier on their own connections
def test_a_campaign_backed_by_several_buyers_with_mixed_carts_succeeds_and_releases_to_each_party(
    saleor_api_url,
    deliver,
    app,
    staff,  # noqa: F811 (the fixture)
    mixed_shop,
    time_machine,
    settings,
):
    """Five buyers put the last three items of a tier (limit 3) and the library's bag in their carts and go
    to pay at once: exactly three take the tier, two are refused; the three pay in Saleor (checkout → the
    payment app's charge → order), their tier lines are held and the bags split to the library at once. The
    campaign (goal: 3 backers) succeeds; one backer's parcel had shipped. By hand, per tier line of 128.00
    (the museum's agreement: unit 60 %, entity 25 %, staff pool 5 %, platform 10 %), 30 % at success:
    shipped, all: 7,680 / 3,200 / 640 / 1,280; the others 3,840 → 2,304 / 960 / 192 / 384, 8,960 still held
    each. December's settlement pays the museum what was released, never what is held."""
    settings.CAMPAIGN_RELEASE_AT_SUCCESS_BPS = 3000
    tier_product, bag = mixed_shop.products
    museum, library = live.units_on(mixed_shop, 96)
    listing, operator, sku = live.tier_listing(staff, museum, tier_product.variant_id)
    campaign = live.launched_before_the_orders(
        museum, listing, operator, "实况众筹书签", 3, (listing.variants.get(sku=sku).pk, 3)
    )

    # five carts in Saleor, each the tier and the bag; all go to pay at once
    both = [tier_product.variant_id, bag.variant_id]
    carts = [live.checkout_created(staff.gql, mixed_shop, f"backer{n}@example.cn", both) for n in range(5)]
    outcomes = live.race_for_the_tier(carts)
    assert sorted(outcomes.values()) == ["sold_out"] * 2 + ["taken"] * 3
    tier = campaign.tiers.get()
    assert (tier.reserved, tier.left) == (3, 0)

    winners = [cart for cart in carts if outcomes[cart["id"]] == "taken"]
    orders = [checkout_pay(staff, app, cart) for cart in winners]
    client = SaleorClient(saleor_api_url, staff.token)
    tier_lines = {}
    for i, order_id in enumerate(orders):
        placed = staff.gql(
            "query($id: ID!) { order(id: $id)"
            " { lines { id productSku quantity totalPrice { net { amount } } } } }",
            {"id": order_id},
        )["order"]
        line = next(ln for ln in placed["lines"] if ln["productSku"] == sku)
        assert line["totalPrice"]["net"]["amount"] == 128.0
        tier_lines[order_id] = line["id"]
        if i == 0:  # the first backer's tier parcel ships before the campaign ends
            live_order.fulfil(client, order_id, line["id"], 1, tier_product.warehouse_id, "SF-LIVE-BACKER-1")
        event = deliver("order_fully_paid", live_order.delivery(staff, order_id))
        assert event.status == "done", event.last_error

    # the paid checkouts' reservations are their orders' now: never given back as abandoned ones
    assert (
        Reservation.objects.filter(checkout_ref__in=[c["id"] for c in winners], paid_at__isnull=False).count()
        == 3
    )
    unit, entity, pool = museum.party_key, museum.operating_entity.party_key, f"staff_pool:{museum.uid}"

    for order_id, ref in tier_lines.items():
        assert line_nets(order_id, ref) == {campaign.party_key: 12_800}  # held whole
        bag_lines = [r for r in ledger.order_line_nets(order_ref=order_id) if r not in (ref, f"{ref}:tax")]
        bag_parties = {
            p
            for r in bag_lines
            if r != "shipping"
            for p, _a, _f in ledger.order_line_nets(order_ref=order_id)[r]
        }
        assert library.party_key in bag_parties and campaign.party_key not in bag_parties  # split at once

    time_machine.move_to(campaign.ends_at + services.DECIDE_GRACE, tick=True)
    services.campaigns_tick(client=client)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.backers_at_decision) == (Campaign.State.SUCCEEDED, 3)

    first, *others = orders
    assert line_nets(first, tier_lines[first]) == {unit: 7_680, entity: 3_200, pool: 640, "platform": 1_280}
    for order_id in others:
        assert line_nets(order_id, tier_lines[order_id]) == {
            campaign.party_key: 8_960,
            unit: 2_304,
            entity: 960,
            pool: 192,
            "platform": 384,
        }
    held = ledger.account_balances().get((Account.Kind.CAMPAIGN_HELD, campaign.party_key, "CNY"), 0)
    tax_held = sum(line_nets(o, f"{tier_lines[o]}:tax").get(campaign.party_key, 0) for o in orders)
    assert (held, tax_held) == (-2 * 8_960, 0)  # the tax goes whole at success
    assert ledger.transactions_unbalanced() == []

    # the next month: December's batches pay what was released; the campaign's held account is never paid
    released_on = clock.today()  # the release's Beijing day; its month's batches are proposed the next month
    period_start = released_on.replace(day=1)
    period_end = (period_start + timedelta(days=32)).replace(day=1)
    time_machine.move_to(
        datetime.combine(period_end + timedelta(days=1), datetime.min.time(), UTC), tick=False
    )
    batches = settlement.settlement_run(
        period_start=period_start, period_end=period_end, actor=platform_finance_user()
    )
    by_party = {b.party: b.amount for b in batches}
    assert campaign.party_key not in by_party
    # the museum: the tier as released (the held 2 x 8,960 stays) and each order's shipping (10.00, its
    # parcel's sender by the shipping rule); the library: 60 % of its three bags of 88.00, paid at once
    assert by_party[unit] == 7_680 + 2 * 2_304 + 3 * 1_000
    assert by_party[library.party_key] == 3 * 5_280
