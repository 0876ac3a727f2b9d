"""Live Saleor: a campaign's tier bought in a real Saleor order, held for the campaign; the campaign fails
and its backer is refunded in full through Saleor's granted refund and the order's payment app."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from campaigns import services
from campaigns.models import Campaign, CampaignRefund
from core import clock
from payments import selectors as ledger
from payments.models import Account
from saleor_app.client import SaleorClient
from tests.catalog.factories import make_listing
from tests.live_saleor import StaffSession, wait_until
from tests.live_shop import ProductSpec, own_shop
from tests.orders import live_order
from tests.orders.conftest import unit_with_agreement
from tests.saleor_app.test_live_saleor import staff  # noqa: F401 (the fixture)
from tests.unit_onboarding.factories import operator_of, platform_finance_user

from .conftest import launch

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _now():
    """Saleor stamps its orders with the real time: the business clock is not moved here."""


@pytest.fixture
def app(saleor_api_url):
    with live_order.payment_app(StaffSession(saleor_api_url)) as payment_app:
        yield payment_app


@pytest.fixture
def shop(staff):  # noqa: F811 (the fixture)
    with own_shop(staff, [ProductSpec("实况众筹折扇", "128.00", warehouse=0)], warehouses=1) as made:
        yield made


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
    now = clock.now()
    campaign = services.campaign_save(
        unit=museum,
        actor=operator,
        listing=listing,
        title_zh="实况众筹",
        goal_kind=Campaign.Goal.BACKERS,
        goal_amount=None,
        goal_backers=goal_backers,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        estimated_delivery=date.today() + timedelta(days=60),
        tiers=[(listing.variants.get(sku=line["productSku"]).pk, None)],
    )
    campaign = launch(campaign)
    campaign.reviewed_at = now - timedelta(minutes=30)  # as launched before the order was placed
    Campaign.objects.filter(pk=campaign.pk).update(reviewed_at=campaign.reviewed_at)
    total = placed["total"]["gross"]
    assert live_order.charge(app, order_id, str(total["fractionalAmount"] / 100), total["currency"])
    client = SaleorClient(saleor_api_url, staff.token)
    client.mutate(
        "OrderFulfill",
        {
            "order": order_id,
            "input": {
                "lines": [
                    {
                        "orderLineId": line["id"],
                        "stocks": [{"quantity": 2, "warehouse": product.warehouse_id}],
                    }
                ],
                "trackingNumber": "SF-LIVE-CAMPAIGN",
            },
        },
        "orderFulfill",
    )

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
    refund = CampaignRefund.objects.get()
    assert refund.status == CampaignRefund.Status.REQUESTED, refund.last_error
    assert refund.amount == paid

    query = "query($id: ID!) { order(id: $id) { grantedRefunds { id status } } }"

    def settled():
        grants = staff.gql(query, {"id": order_id})["order"]["grantedRefunds"]
        status = next(g["status"] for g in grants if g["id"] == refund.saleor_granted_refund_id)
        return status if status in {"SUCCESS", "FAILURE"} else None

    assert wait_until("the campaign refund to be refunded", settled) == "SUCCESS"
    event = deliver("order_refunded", live_order.delivery(staff, order_id))
    assert event.status == "done", event.last_error
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
    refund = CampaignRefund.objects.get()
    assert refund.status == CampaignRefund.Status.REQUESTED, refund.last_error
    assert refund.amount == paid

    query = "query($id: ID!) { order(id: $id) { grantedRefunds { id status } } }"

    def settled():
        grants = staff.gql(query, {"id": order_id})["order"]["grantedRefunds"]
        status = next(g["status"] for g in grants if g["id"] == refund.saleor_granted_refund_id)
        return status if status in {"SUCCESS", "FAILURE"} else None

    assert wait_until("the cancellation's refund to be refunded", settled) == "SUCCESS"
    event = deliver("order_refunded", live_order.delivery(staff, order_id))
    assert event.status == "done", event.last_error
    nets = ledger.order_line_nets(order_ref=order_id)
    for ref in (line["id"], f"{line['id']}:tax"):
        totals: dict[str, int] = {}
        for party, amount, _fee in nets.get(ref, []):
            totals[party] = totals.get(party, 0) + amount
        assert not any(totals.values()), (ref, totals)  # every party, and the campaign, back to zero
    assert ledger.account_balances().get((Account.Kind.CAMPAIGN_HELD, campaign.party_key, "CNY"), 0) == 0
    assert ledger.transactions_unbalanced() == []
