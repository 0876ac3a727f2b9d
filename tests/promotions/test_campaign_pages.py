"""The platform campaign pages: platform finance proposes, another member approves and changes who funds
it; a unit's operators join with their own products only; every campaign route is refused to units'
members and the unit page to another unit's members; times typed and shown in Beijing time."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import respx
from django.urls import reverse

from payments.funding.models import DiscountFundingVersion
from promotions.models import CampaignOptIn, PlatformCampaign
from saleor_app.client import SaleorClient
from tests.auth import login_verified
from tests.isolation import assert_refused
from tests.promotions.shop_double import API, CAMPAIGN, campaign_saleor
from tests.unit_onboarding.factories import platform_finance_user

from .test_platform_campaigns import campaign_live, opt_in, two_unit_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(monkeypatch):
    monkeypatch.setattr("promotions.campaigns.app_client", lambda: SaleorClient(API, "t"))
    fake = campaign_saleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=fake)
        yield fake


def test_platform_finance_proposes_in_beijing_time_and_another_member_approves(client, world, shop):
    a, b = platform_finance_user(), platform_finance_user()
    login_verified(client, a)
    response = client.post(
        reverse("promotions:campaign_list"),
        {
            "name": "双十一",
            "reward": "percentage",
            "value": "15",
            "funder": "split",
            "platform_bps": "5000",
            "starts_at": "2026-11-21T00:00",  # Beijing time
            "ends_at": "2026-11-30T00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()
    campaign = PlatformCampaign.objects.get()
    assert campaign.starts_at.isoformat() == "2026-11-20T16:00:00+00:00"
    assert (campaign.funder, campaign.platform_bps, campaign.combinable) == ("split", 5000, False)
    page = client.get(reverse("promotions:campaign_page", kwargs={"platform_campaign": campaign.uid}))
    text = page.content.decode()
    assert "2026-11-21 00:00" in text and 'value="approve"' not in text  # the proposer cannot approve
    decide = reverse("promotions:campaign_decide", kwargs={"platform_campaign": campaign.uid})
    client.post(decide, {"action": "approve"})
    assert PlatformCampaign.objects.get().status == "proposed"

    client.logout()
    login_verified(client, b)
    client.post(decide, {"action": "approve"})

    assert PlatformCampaign.objects.get().status == "live"
    assert [name for name, _ in shop.calls] == ["PromotionCreate"]
    assert client.get(reverse("promotions:campaign_list")).content.decode().count("双十一") >= 1


def test_a_bad_funder_is_refused_with_a_clear_message(client, world):
    login_verified(client, platform_finance_user())
    response = client.post(
        reverse("promotions:campaign_list"),
        {
            "name": "春节",
            "reward": "percentage",
            "value": "10",
            "funder": "split",
            "platform_bps": "",
            "starts_at": "2026-11-21T00:00",
            "ends_at": "2026-11-30T00:00",
        },
    )
    assert response.status_code == 400
    assert "基点" in response.content.decode() and not PlatformCampaign.objects.exists()


def test_an_operator_joins_with_own_products_only_and_sees_why_not(client, world, shop):
    museum, _library, people, mirror, fan = world
    campaign = campaign_live(platform_finance_user(), platform_finance_user())
    client.force_login(people["operator"])
    url = reverse("promotions:unit_campaigns", kwargs={"uid": museum.uid})

    page = client.get(url).content.decode()
    assert "国际博物馆日" in page and f'value="{mirror.pk}"' in page and f'value="{fan.pk}"' not in page

    refused = client.post(url, {"campaign": str(campaign.uid), "listing": str(fan.pk)}, follow=True)
    assert "本单位自己的商品" in refused.content.decode() and not CampaignOptIn.objects.exists()

    client.post(url, {"campaign": str(campaign.uid), "listing": str(mirror.pk)})
    assert CampaignOptIn.objects.get().listing == mirror
    assert "国际博物馆日" in client.get(url).content.decode()

    # the unit's finance member reads the page but does not opt in
    login_verified(client, people["finance"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"campaign": str(campaign.uid), "listing": str(mirror.pk)}).status_code == 404


def test_every_campaign_route_is_refused_to_units_members_and_the_unit_page_to_another_unit(client, world):
    museum, _library, people, mirror, _fan = world
    campaign = campaign_live(platform_finance_user(), platform_finance_user())
    hostile = {
        "campaign": str(campaign.uid),
        "listing": str(mirror.pk),
        "action": "approve",
        "funder": "platform",
        "name": "x",
        "reward": "percentage",
        "value": "90",
        "starts_at": "2026-11-21T00:00",
        "ends_at": "2026-11-30T00:00",
    }
    platform_routes = [
        reverse("promotions:campaign_list"),
        *(
            reverse(name, kwargs={"platform_campaign": campaign.uid})
            for name in (
                "promotions:campaign_page",
                "promotions:campaign_decide",
                "promotions:campaign_funding",
            )
        ),
    ]
    for who in ("operator", "finance", "library_operator"):
        if who == "finance":
            login_verified(client, people[who])
        else:
            client.force_login(people[who])
        for path in platform_routes:
            assert_refused(client, path, hostile)
    # the library's operator on the museum's campaign page: refused, nothing joined
    client.force_login(people["library_operator"])
    assert_refused(client, reverse("promotions:unit_campaigns", kwargs={"uid": museum.uid}), hostile)
    login_verified(client, people["library_finance"])
    assert_refused(client, reverse("promotions:unit_campaigns", kwargs={"uid": museum.uid}), hostile)
    assert not CampaignOptIn.objects.exists()
    assert DiscountFundingVersion.objects.filter(funding__key=CAMPAIGN).count() == 1


def test_the_campaign_page_shows_sales_by_funder_and_a_funding_change_needs_another_member(
    client, world, deliver, time_machine
):
    museum, library, people, mirror, fan = world
    a, b = platform_finance_user(), platform_finance_user()
    campaign = campaign_live(a, b)
    opt_in(campaign, museum, people["operator"], mirror)
    opt_in(campaign, library, people["library_operator"], fan)
    time_machine.move_to(datetime.fromisoformat("2026-11-27T10:05:00+00:00"), tick=False)
    deliver("order_fully_paid", two_unit_order(museum, library, "o1", "2026-11-27T10:05:00+00:00").payload())

    login_verified(client, a)
    url = reverse("promotions:campaign_page", kwargs={"platform_campaign": campaign.uid})
    text = client.get(url).content.decode()
    # museum: gross 200.00, discount 40.00, 20.00 each; net 180.00; library 100.00 / 20.00 / 10.00 / 90.00
    for figure in ("200.00", "40.00", "20.00", "180.00", "100.00", "10.00", "90.00", "300.00", "270.00"):
        assert figure in text, figure

    # the museum's finance member reads on the unit's statement what the platform funded on its lines
    client.logout()
    login_verified(client, people["finance"])
    statement = client.get(
        reverse("finance:statement", kwargs={"party": museum.party_key}),
        {"start": "2026-11-01", "end": "2026-12-01"},
    ).content.decode()
    assert "本单位商品上由平台出资的优惠" in statement
    assert re.search(r'class="funded-on-lines".*?20\.00', statement)
    client.logout()
    login_verified(client, a)

    stats = client.get(reverse("finance:stats"), {"start": "2026-11-01", "end": "2026-12-01"})
    assert stats.status_code == 200
    assert "本期进行的平台活动" in stats.content.decode() and "国际博物馆日" in stats.content.decode()

    funding = reverse("promotions:campaign_funding", kwargs={"platform_campaign": campaign.uid})
    client.post(funding, {"action": "propose", "funder": "platform"})
    proposal = DiscountFundingVersion.objects.get(funding__key=CAMPAIGN, number=2)
    client.post(funding, {"action": "approve", "version": str(proposal.pk)}, follow=True)
    assert DiscountFundingVersion.objects.get(pk=proposal.pk).status == "proposed"  # four eyes

    client.logout()
    login_verified(client, b)
    client.post(funding, {"action": "approve", "version": str(proposal.pk)})
    assert DiscountFundingVersion.objects.get(pk=proposal.pk).status == "approved"
    # the order paid under version 1 keeps its 50/50 on the page
    assert "180.00" in client.get(url).content.decode()
