"""A unit cancels a funded campaign: an operator asks with a reason, another person (the unit's finance or
platform finance, never the asker) confirms; the campaign is cancelled and every backer refunded in full
through the failure-refund path; audited with who and why; refused when the campaign changed since."""

from __future__ import annotations

from datetime import timedelta

import pytest
import respx
from django.db import IntegrityError, transaction
from django.urls import reverse

from campaigns import services
from campaigns.error_codes import CampaignError
from campaigns.error_codes import CampaignErrorCode as Code
from campaigns.models import Campaign, CampaignCancellation, CampaignRefund
from payments import selectors as ledger
from payments.models import FinanceAuditEvent, LedgerTransaction
from saleor_app.client import SaleorClient
from saleor_app.models import WebhookEvent
from tests.auth import login_verified
from tests.campaigns.conftest import END, NOW
from tests.campaigns.test_money import API, FakeSaleor, backing, held_account, per_party, tier_line
from tests.orders.conftest import unit_with_agreement
from tests.unit_onboarding.factories import operator_of, platform_finance_user
from unit_onboarding.models import UnitMembership

pytestmark = pytest.mark.django_db
FINANCE = UnitMembership.Role.FINANCE


def test_an_operator_asks_and_the_units_finance_confirms_every_backer_refunded_in_full(
    live, deliver, time_machine
):
    library = unit_with_agreement(9)
    orders = {
        "order-k1": backing(live, "order-k1", other_unit=library),
        "order-k2": backing(live, "order-k2"),
    }
    for order in orders.values():
        deliver("order_fully_paid", order.payload())
    operator = live.created_by
    finance = operator_of(live.unit, FINANCE)

    asked = services.campaign_cancel_request(campaign=live, actor=operator, reason="工艺无法量产")
    with pytest.raises(CampaignError) as refused:
        services.campaign_cancel_confirm(cancellation_id=asked.pk, actor=operator)  # never the asker
    assert refused.value.code == Code.NOT_ALLOWED
    with pytest.raises(CampaignError) as refused:  # nor another operator
        services.campaign_cancel_confirm(cancellation_id=asked.pk, actor=operator_of(live.unit))
    assert refused.value.code == Code.NOT_ALLOWED

    services.campaign_cancel_confirm(cancellation_id=asked.pk, actor=finance)

    live.refresh_from_db()
    assert live.state == Campaign.State.CANCELLED
    refunds = {r.order_ref: r.amount for r in CampaignRefund.objects.filter(campaign=live)}
    assert refunds == {"order-k1": 12_800 + 768, "order-k2": 12_800 + 768}  # the tier lines in full
    event = FinanceAuditEvent.objects.get(action="campaign.cancel")
    assert event.actor_id == finance.pk
    assert event.detail["reason"] == "工艺无法量产" and event.detail["requested_by"] == operator.pk
    assert FinanceAuditEvent.objects.filter(action="campaign.cancel_requested", actor=operator).exists()

    # the beat job asks Saleor for each refund, with the cancellation's reason
    fine = FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=fine)
        assert services.campaigns_tick(client=SaleorClient(API, "token"))["attempted"] == 2
    assert {r.status for r in CampaignRefund.objects.all()} == {CampaignRefund.Status.REQUESTED}
    grants = [v for name, v in fine.calls if name == "OrderGrantRefundCreate"]
    assert "已取消" in grants[0]["input"]["reason"]  # the reason Saleor keeps, in the shop's language
    # Saleor pays them back: the held account is empty, nothing released, the library's product stays
    for order_id, order in orders.items():
        order.refund_granted(
            f"refund-{order_id}", 12_800 + 768, NOW.isoformat(), lines=((tier_line(order_id), 1),)
        )
        assert deliver("order_refunded", order.payload()).status == WebhookEvent.Status.DONE
    assert held_account(live) == 0
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.RELEASE).exists()
    assert ledger.transactions_unbalanced() == []
    # decided: the deadline changes nothing more
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    assert services.campaigns_tick(client=SaleorClient(API, "token"))["decided"] == 0


def test_a_succeeded_campaign_cancelled_after_its_release_takes_back_from_the_parties(
    live, deliver, time_machine, settings
):
    settings.CAMPAIGN_RELEASE_AT_SUCCESS_BPS = 3000
    orders = {f"order-{n}": backing(live, f"order-{n}") for n in ("u1", "u2", "u3")}
    for order in orders.values():
        deliver("order_fully_paid", order.payload())
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    services.campaigns_tick()
    assert Campaign.objects.get(pk=live.pk).state == Campaign.State.SUCCEEDED
    asked = services.campaign_cancel_request(campaign=live, actor=live.created_by, reason="版权纠纷")
    services.campaign_cancel_confirm(cancellation_id=asked.pk, actor=platform_finance_user())
    # the full refund of what each backer paid, though 30 % of it (and the tax) was released
    assert {r.amount for r in CampaignRefund.objects.filter(campaign=live)} == {12_800 + 768}
    assert services.campaigns_tick()["released"] == 0  # a cancelled campaign releases nothing more
    order = orders["order-u1"]
    order.refund_granted(
        "refund-u1", 12_800 + 768, (END + timedelta(hours=1)).isoformat(), lines=((tier_line("order-u1"), 1),)
    )
    assert deliver("order_refunded", order.payload()).status == WebhookEvent.Status.DONE
    assert per_party("order-u1", tier_line("order-u1")) == {}
    assert per_party("order-u1", f"{tier_line('order-u1')}:tax") == {}
    assert ledger.transactions_unbalanced() == []


def test_stale_when_the_campaign_changed_since_it_was_asked(live, deliver):
    deliver("order_fully_paid", backing(live, "order-v1").payload())
    asked = services.campaign_cancel_request(campaign=live, actor=live.created_by, reason="停产")
    deliver("order_fully_paid", backing(live, "order-v2").payload())  # a new backer meanwhile
    with pytest.raises(CampaignError) as refused:
        services.campaign_cancel_confirm(cancellation_id=asked.pk, actor=platform_finance_user())
    assert refused.value.code == Code.STALE
    assert Campaign.objects.get(pk=live.pk).state == Campaign.State.LIVE
    assert not CampaignRefund.objects.exists()


def test_a_reason_one_open_request_and_refusal_with_a_note(live):
    with pytest.raises(CampaignError) as refused:
        services.campaign_cancel_request(campaign=live, actor=live.created_by, reason="  ")
    assert refused.value.code == Code.REASON_REQUIRED
    asked = services.campaign_cancel_request(campaign=live, actor=live.created_by, reason="停产")
    with pytest.raises(CampaignError) as refused:
        services.campaign_cancel_request(campaign=live, actor=live.created_by, reason="again")
    assert refused.value.code == Code.CANCEL_PENDING
    finance = operator_of(live.unit, FINANCE)
    services.campaign_cancel_refuse(cancellation_id=asked.pk, actor=finance, note="backers were promised")
    assert CampaignCancellation.objects.get(pk=asked.pk).status == CampaignCancellation.Status.REFUSED
    assert Campaign.objects.get(pk=live.pk).state == Campaign.State.LIVE
    with pytest.raises(CampaignError) as refused:  # decided: never confirmed after
        services.campaign_cancel_confirm(cancellation_id=asked.pk, actor=finance)
    assert refused.value.code == Code.STALE


def test_the_database_refuses_a_confirmation_by_the_asker(live):
    asked = services.campaign_cancel_request(campaign=live, actor=live.created_by, reason="停产")
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignCancellation.objects.filter(pk=asked.pk).update(decided_by=live.created_by)


def test_pages_ask_confirm_and_other_units_see_nothing(client, live, deliver):
    deliver("order_fully_paid", backing(live, "order-w1").payload())
    operator = live.created_by
    client.force_login(operator)
    response = client.post(
        reverse("campaigns:campaign_cancel_request", args=[live.uid]), {"reason": "工艺无法量产"}
    )
    assert response.status_code == 302
    asked = CampaignCancellation.objects.get()
    page = reverse("campaigns:cancellation", args=[asked.pk])
    assert client.get(page).status_code == 200  # the asker sees it, without the decision form
    assert b'name="decision"' not in client.get(page).content

    library = unit_with_agreement(10)
    for outsider in (operator_of(library), operator_of(library, FINANCE)):
        login_verified(client, outsider)
        assert client.get(page).status_code == 404
        assert client.post(page, {"decision": "confirm"}).status_code == 404
        assert (
            client.post(
                reverse("campaigns:campaign_cancel_request", args=[live.uid]), {"reason": "x"}
            ).status_code
            == 404
        )
        assert asked.campaign.title_zh.encode() not in client.get(reverse("campaigns:cancellations")).content
    assert Campaign.objects.get(pk=live.pk).state == Campaign.State.LIVE

    finance = operator_of(live.unit, FINANCE)
    login_verified(client, finance)
    assert live.title_zh.encode() in client.get(reverse("campaigns:cancellations")).content
    response = client.post(page, {"decision": "confirm"})
    assert response.status_code == 302
    assert Campaign.objects.get(pk=live.pk).state == Campaign.State.CANCELLED
    assert CampaignRefund.objects.filter(campaign=live).count() == 1
