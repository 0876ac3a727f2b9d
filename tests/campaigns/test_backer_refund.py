"""A backer asks, during the campaign, on their order page for their backing back; the unit decides; approved,
it is granted and refunded through Saleor (this app → Stripe) as the campaign's own refunds are, the tier's
items go back to its stock and the backing no longer counts (nor is it refunded again when the campaign
fails)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import respx
from django.urls import reverse

from campaigns import selectors, services
from campaigns.error_codes import CampaignError
from campaigns.error_codes import CampaignErrorCode as Code
from campaigns.models import BackerRefund, CampaignRefund, Pledge, Tier
from orders.links import order_link_path
from payments import selectors as ledger
from payments.models import FinanceAuditEvent
from saleor_app.client import SaleorClient
from saleor_app.models import WebhookEvent
from tests.campaigns.conftest import END, NOW
from tests.campaigns.test_money import API, FakeSaleor, backing, held_account, tier_line
from tests.conftest import RECORDED_API_URL
from tests.orders.conftest import unit_with_agreement
from tests.recording import replay_scenes
from tests.storefront.test_pages_recorded import RECORDED_ORDER
from tests.unit_onboarding.factories import operator_of

pytestmark = pytest.mark.django_db


def ask(client, order_id: str, campaign) -> None:
    token = order_link_path(order_id).rstrip("/").rsplit("/", 1)[-1]
    response = client.post(
        reverse("storefront:order_backing_refund", args=[token, campaign.uid]), {"reason": "改变主意"}
    )
    assert response.status_code == 302 and response.url == order_link_path(order_id)


def test_the_backer_asks_the_unit_approves_and_the_backing_goes_back_whole(
    client, live, deliver, time_machine
):
    orders = {"order-b1": backing(live, "order-b1", quantity=2), "order-b2": backing(live, "order-b2")}
    for order in orders.values():
        deliver("order_fully_paid", order.payload())
    Tier.objects.filter(campaign=live).update(reserved=3)  # taken when the buyers went to pay

    ask(client, "order-b1", live)
    asked = BackerRefund.objects.get()
    assert (asked.order_ref, asked.amount, asked.status) == ("order-b1", 2 * (12_800 + 768), "requested")
    assert selectors.progress(live).backers == 2  # asking changes nothing yet

    with pytest.raises(CampaignError) as refused:  # another unit's operator decides nothing
        services.backer_refund_decide(
            refund_id=asked.pk, actor=operator_of(unit_with_agreement(11)), approve=True
        )
    assert refused.value.code == Code.NOT_ALLOWED

    fine = FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=fine)
        decided = services.backer_refund_decide(
            refund_id=asked.pk, actor=live.created_by, approve=True, client=SaleorClient(API, "token")
        )
    assert decided.status == BackerRefund.Status.REFUNDING
    grant = next(v for name, v in fine.calls if name == "OrderGrantRefundCreate")["input"]
    assert grant["lines"] == [{"id": tier_line("order-b1"), "quantity": 2}] and grant["amount"] == "271.36"
    assert Tier.objects.get(campaign=live).reserved == 1  # the two items back in stock
    p = selectors.progress(live)
    assert (p.backers, p.raised) == (1, 12_800 + 768)  # no longer counted
    assert FinanceAuditEvent.objects.filter(
        action="campaign.backer_refund_approve", actor=live.created_by
    ).exists()

    # Saleor pays it back: what the campaign held of it goes back to the buyer
    order = orders["order-b1"]
    order.refund_granted(
        "refund-b1", 2 * (12_800 + 768), NOW.isoformat(), lines=((tier_line("order-b1"), 2),)
    )
    assert deliver("order_refunded", order.payload()).status == WebhookEvent.Status.DONE
    assert held_account(live) == -(12_800 + 768)
    assert ledger.transactions_unbalanced() == []

    # the campaign fails: only order-b2 is refunded by it, order-b1 never twice
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=FakeSaleor())
        services.campaigns_tick(client=SaleorClient(API, "token"))
    assert list(CampaignRefund.objects.values_list("order_ref", flat=True)) == ["order-b2"]


def test_refusal_needs_a_note_and_nothing_is_granted_once_the_campaign_ended(
    client, live, deliver, time_machine
):
    deliver("order_fully_paid", backing(live, "order-b3").payload())
    ask(client, "order-b3", live)
    asked = BackerRefund.objects.get()
    with pytest.raises(CampaignError) as refused:
        services.backer_refund_decide(refund_id=asked.pk, actor=live.created_by, approve=False)
    assert refused.value.code == Code.REASON_REQUIRED
    ask(client, "order-b3", live)  # asked again while waiting: refused, still one request
    assert BackerRefund.objects.count() == 1
    time_machine.move_to(END + timedelta(minutes=1), tick=False)
    with pytest.raises(CampaignError) as refused:
        services.backer_refund_decide(refund_id=asked.pk, actor=live.created_by, approve=True)
    assert refused.value.code == Code.STALE  # the campaign's own decision applies now
    ask(client, "order-b3", live)  # and the backer can no longer ask
    assert BackerRefund.objects.count() == 1


def test_a_forged_or_foreign_link_asks_nothing_and_another_unit_sees_no_request(client, live, deliver):
    deliver("order_fully_paid", backing(live, "order-b4").payload())
    forged = client.post(reverse("storefront:order_backing_refund", args=["forged", live.uid]))
    assert forged.status_code == 404
    token = order_link_path("order-other").rstrip("/").rsplit("/", 1)[-1]  # an order that backs nothing
    assert client.post(reverse("storefront:order_backing_refund", args=[token, live.uid])).status_code == 404
    assert not BackerRefund.objects.exists()

    ask(client, "order-b4", live)
    asked = BackerRefund.objects.get()
    decide = reverse("campaigns:backer_refund_decide", args=[live.uid, asked.pk])
    client.force_login(operator_of(unit_with_agreement(12)))
    assert client.post(decide, {"decision": "refuse", "note": "x"}).status_code == 404
    assert client.get(reverse("campaigns:campaign", args=[live.uid])).status_code == 404
    client.force_login(live.created_by)
    assert b"order-b4" in client.get(reverse("campaigns:campaign", args=[live.uid])).content
    assert client.post(decide, {"decision": "refuse", "note": "已开始生产"}).status_code == 302
    assert BackerRefund.objects.get().status == BackerRefund.Status.REFUSED


def test_the_order_page_offers_the_backer_the_request_while_the_campaign_runs(client, live, settings):
    settings.SALEOR_API_URL = RECORDED_API_URL
    order_id = RECORDED_ORDER["id"]
    Pledge.objects.create(
        campaign=live,
        tier=live.tiers.get(),
        order_ref=order_id,
        line_ref="recorded-line",
        quantity=1,
        held=12_800,
        paid=12_800,
        currency="CNY",
        recipe={},
        paid_at=NOW,
    )
    with respx.mock(assert_all_called=False) as mock:
        replay_scenes(mock, RECORDED_API_URL, "StorefrontOrder")
        page = client.get(order_link_path(order_id)).content.decode()
        assert "您支持的众筹项目" in page and live.title_zh in page
        assert "申请全额退还支持款" in page  # the form, while it runs
        BackerRefund.objects.create(
            campaign=live, order_ref=order_id, amount=12_800, currency="CNY", requested_at=NOW
        )
        page = client.get(order_link_path(order_id)).content.decode()
        assert "支持者已申请" in page and "申请全额退还支持款" not in page  # asked: no second form
