"""The unit's campaign pages (draft, submit, updates), the curators' review, isolation between units, and
money terms fixed once live (by the service, and by PostgreSQL for anything else that writes)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.urls import reverse

from campaigns import services
from campaigns.error_codes import CampaignError, CampaignErrorCode
from campaigns.models import Campaign, CampaignUpdate, Tier
from payments.models import FinanceAuditEvent
from tests.auth import login_verified
from tests.campaigns.conftest import draft, launch
from tests.catalog.factories import curator, make_listing
from tests.orders.conftest import unit_with_agreement
from tests.unit_onboarding.factories import operator_of

pytestmark = pytest.mark.django_db


def form_data(listing, **extra) -> dict:
    return {
        "listing": listing.pk,
        "title_zh": "青铜纹样书签众筹",
        "title_en": "Bronze pattern bookmarks",
        "story_zh": "馆藏青铜器纹样",
        "goal_kind": "amount",
        "goal_yuan": "5000.00",
        "starts_at": "2026-11-21T10:00",  # Beijing time
        "ends_at": "2026-12-21T22:00",
        "estimated_delivery": "2027-02-01",
        "tiers": f"{listing.variants.order_by('pk').first().sku} 300\n",
        **extra,
    }


def test_an_operator_drafts_edits_and_submits_a_campaign_with_beijing_times(client, museum):
    operator = operator_of(museum)
    listing = make_listing(museum, operator)
    client.force_login(operator)

    response = client.post(reverse("campaigns:campaign_new", args=[museum.uid]), form_data(listing))

    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get(unit=museum)
    assert campaign.starts_at.isoformat() == "2026-11-21T02:00:00+00:00"  # 10:00 in Beijing, stored in UTC
    assert campaign.goal_amount == 500_000
    tier = campaign.tiers.get()
    assert (tier.limit, tier.price_fen) == (300, 12_800)
    page = client.get(reverse("campaigns:campaign", args=[campaign.uid])).content.decode()
    assert "2026-11-21 10:00" in page  # shown in Beijing time
    assert "5,000.00" in page

    client.post(reverse("campaigns:campaign", args=[campaign.uid]), form_data(listing, goal_yuan="6000"))
    campaign.refresh_from_db()
    assert campaign.goal_amount == 600_000

    client.post(reverse("campaigns:campaign_submit", args=[campaign.uid]))
    assert Campaign.objects.get(pk=campaign.pk).state == Campaign.State.IN_REVIEW
    listing_page = client.get(reverse("campaigns:unit_campaigns", args=[museum.uid])).content.decode()
    assert campaign.title_zh in listing_page


def test_a_tier_must_be_a_variant_of_the_campaigns_own_listing(client, museum):
    operator = operator_of(museum)
    listing, other = make_listing(museum, operator), make_listing(museum, operator)
    client.force_login(operator)
    bad = form_data(listing, tiers=other.variants.first().sku)
    response = client.post(reverse("campaigns:campaign_new", args=[museum.uid]), bad)
    assert response.status_code == 400
    assert not Campaign.objects.exists()


def test_another_units_operator_sees_and_changes_nothing(client, museum):
    campaign = draft(museum, goal_amount=10_000)
    library = unit_with_agreement(8)
    client.force_login(operator_of(library))
    for url in (
        reverse("campaigns:campaign", args=[campaign.uid]),
        reverse("campaigns:unit_campaigns", args=[museum.uid]),
        reverse("campaigns:campaign_new", args=[museum.uid]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("campaigns:campaign_submit", args=[campaign.uid])).status_code == 404
    posted = client.post(reverse("campaigns:campaign_update_post", args=[campaign.uid]), {"body_zh": "x"})
    assert posted.status_code == 404
    # nor through the service, with the other unit's own listing
    with pytest.raises(CampaignError) as refused:
        services.campaign_submit(campaign=campaign, actor=operator_of(library))
    assert refused.value.code == CampaignErrorCode.NOT_ALLOWED
    assert Campaign.objects.get(pk=campaign.pk).state == Campaign.State.DRAFT
    assert not CampaignUpdate.objects.exists()


def test_a_curator_other_than_the_author_launches_it_and_the_decision_is_audited(client, museum):
    campaign = draft(museum, goal_backers=100)
    services.campaign_submit(campaign=campaign, actor=campaign.created_by)
    reviewer = curator()
    login_verified(client, reviewer)
    queue = client.get(reverse("campaigns:review_queue")).content.decode()
    assert campaign.title_zh in queue

    response = client.post(reverse("campaigns:review", args=[campaign.uid]), {"decision": "approve"})

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.LIVE and campaign.reviewed_by == reviewer
    event = FinanceAuditEvent.objects.get(action="campaign.approve")
    assert event.subject == f"campaign:{campaign.uid}"
    # an operator is no curator
    client.force_login(operator_of(museum))
    assert client.get(reverse("campaigns:review_queue")).status_code == 403


def test_the_author_never_reviews_their_own_campaign(museum):
    author = operator_of(museum)
    author.user_permissions.add(Permission.objects.get(codename="review_listing"))
    campaign = draft(museum, goal_amount=10_000, operator=author)
    services.campaign_submit(campaign=campaign, actor=author)
    with pytest.raises(CampaignError) as refused:
        services.campaign_review(campaign=campaign, reviewer=author, approve=True)
    assert refused.value.code == CampaignErrorCode.REVIEWER_IS_AUTHOR
    with pytest.raises(IntegrityError), transaction.atomic():  # and PostgreSQL agrees
        Campaign.objects.filter(pk=campaign.pk).update(reviewed_by=author)


def test_money_terms_are_refused_once_live_but_the_story_may_change(client, museum):
    campaign = launch(draft(museum, goal_amount=10_000, limit=5))
    operator = campaign.created_by
    listing = campaign.listing
    tier = campaign.tiers.get()
    same = {
        "unit": museum,
        "actor": operator,
        "campaign": campaign,
        "listing": listing,
        "goal_kind": "amount",
        "goal_amount": 10_000,
        "goal_backers": None,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "estimated_delivery": campaign.estimated_delivery,
        "tiers": [(tier.variant_id, 5)],
    }
    for change in (
        {"goal_amount": 1},
        {"tiers": [(tier.variant_id, 50)]},
        {"estimated_delivery": date(2028, 1, 1)},
    ):
        with pytest.raises(CampaignError) as refused:
            services.campaign_save(**{**same, **change}, title_zh="x")
        assert refused.value.code == CampaignErrorCode.MONEY_TERMS_FIXED

    services.campaign_save(**same, title_zh="新标题", story_zh="新故事")
    assert Campaign.objects.get(pk=campaign.pk).story_zh == "新故事"

    # anything else that writes (the admin, a script) is refused by PostgreSQL
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(goal_amount=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tier.objects.filter(pk=tier.pk).update(price_fen=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tier.objects.filter(pk=tier.pk).delete()
    Tier.objects.filter(pk=tier.pk).update(reserved=2)  # what checkouts take still moves


def test_the_unit_posts_updates_shown_on_its_page(client, museum):
    campaign = launch(draft(museum, goal_amount=10_000))
    client.force_login(campaign.created_by)
    client.post(reverse("campaigns:campaign_update_post", args=[campaign.uid]), {"body_zh": "打样完成"})
    assert CampaignUpdate.objects.get().body_zh == "打样完成"
    assert "打样完成" in client.get(reverse("campaigns:campaign", args=[campaign.uid])).content.decode()
