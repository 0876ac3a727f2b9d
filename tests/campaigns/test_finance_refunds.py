"""Platform finance sees the campaign refunds parked after a failure (why, attempts, next retry in Beijing
time) on the finance console and retries one now (audited); nobody else sees or retries them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import respx
from django.urls import reverse

from campaigns import services
from campaigns.models import CampaignRefund
from payments.models import FinanceAuditEvent
from saleor_app.client import SaleorClient
from tests.auth import login_verified
from tests.campaigns.conftest import END
from tests.campaigns.test_money import API, FakeSaleor, backing
from tests.factories import SaleorInstallationFactory
from tests.unit_onboarding.factories import operator_of, platform_finance_user
from unit_onboarding.models import UnitMembership

pytestmark = pytest.mark.django_db
LIVE_API = "http://127.0.0.1:8000/graphql/"  # the installation's (SaleorInstallationFactory)


@pytest.fixture
def parked(live, deliver, time_machine):
    """A failed campaign whose refund Stripe refused: parked with its reason, one attempt made."""
    deliver("order_fully_paid", backing(live, "order-p1").payload())
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=FakeSaleor(fail=True))
        services.campaigns_tick(client=SaleorClient(API, "token"))
    refund = CampaignRefund.objects.get()
    assert refund.status == CampaignRefund.Status.FAILED and refund.attempts == 1
    return refund


def test_platform_finance_sees_why_how_often_and_when_next_and_retries_now(client, parked):
    finance = platform_finance_user()
    login_verified(client, finance)
    page = client.get(reverse("campaigns:finance_refunds"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "order-p1" in text and "card_declined at Stripe" in text
    # attempted at the decision (30 November 14:10 Beijing): the next try a minute later, in Beijing time
    assert services.refund_next_retry(parked) == parked.attempted_at + timedelta(minutes=1)
    assert "2026-11-30 14:11" in text
    assert reverse("campaigns:finance_refunds") in client.get(reverse("finance:home")).content.decode()

    SaleorInstallationFactory()
    fine = FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(LIVE_API).mock(side_effect=fine)
        response = client.post(reverse("campaigns:finance_refund_retry", args=[parked.pk]))
    assert response.status_code == 302
    parked.refresh_from_db()
    assert parked.status == CampaignRefund.Status.REQUESTED and parked.attempts == 2
    assert [name for name, _v in fine.calls].count("OrderGrantedRefundRequest") == 1
    retry = FinanceAuditEvent.objects.get(action="campaign.refund_retry")
    assert retry.actor_id == finance.pk and retry.detail["order"] == "order-p1"
    assert "order-p1" not in client.get(reverse("campaigns:finance_refunds")).content.decode()  # requested
    # requested: a second retry is refused as stale, nothing asked of Saleor
    client.post(reverse("campaigns:finance_refund_retry", args=[parked.pk]))
    assert FinanceAuditEvent.objects.filter(action="campaign.refund_retry").count() == 1


def test_nobody_but_platform_finance_sees_or_retries_them(client, live, parked):
    people = [
        live.created_by,  # the campaign's own operator
        operator_of(live.unit, UnitMembership.Role.FINANCE),  # the unit's finance: not the console's view
    ]
    for person in people:
        login_verified(client, person)
        assert client.get(reverse("campaigns:finance_refunds")).status_code == 404
        assert client.post(reverse("campaigns:finance_refund_retry", args=[parked.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("campaigns:finance_refunds")).status_code == 302  # to sign in
    parked.refresh_from_db()
    assert parked.attempts == 1
    assert not FinanceAuditEvent.objects.filter(action="campaign.refund_retry").exists()
