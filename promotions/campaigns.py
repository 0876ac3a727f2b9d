"""Platform campaigns: festival discounts across units, with a payer.

Platform finance proposes a campaign (name, Beijing dates, discount, who funds it, combinable or not);
another member approves it, and only then is it created in Saleor as one catalogue promotion (no product
yet) and its funding recorded as version 1 of the promotion's discount funding rule (two people, the
database's four-eyes check). Each unit's operator then opts in its own products, one Saleor rule each.
Who funds it changes only through `payments.funding` (proposed, approved by another member, refused when
stale, audited); the version in force when an order is paid is frozen on its split lines.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from catalog.models import Listing
from core import clock
from core.audit import audit_record
from core.db import violated_constraint
from core.errors import refuse_same_person
from core.finance import is_platform_finance
from core.money import minor_format
from payments.error_codes import FundingError
from payments.funding import services as funding
from payments.funding.models import DiscountFundingVersion
from promotions import services as unit_promotions
from promotions.error_codes import PromotionError
from promotions.error_codes import PromotionErrorCode as Code
from promotions.models import CampaignOptIn, PlatformCampaign, UnitPromotion
from promotions.selectors import other_campaign_conflict, unit_promotion_conflict
from saleor_app.app_client import app_client
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorError, SaleorNotInstalled

S = PlatformCampaign.Status


def may_manage(user) -> bool:
    return is_platform_finance(user)


def _bps(funder: str, platform_bps: int | None) -> int:
    """The platform's part the funder choice means (as the funding rule reads it), refused by the field."""
    try:
        return funding.funder_bps(funder, platform_bps)
    except FundingError:
        raise PromotionError(Code.CAMPAIGN_FUNDER_INVALID, field="funder") from None


def _summary(campaign: PlatformCampaign) -> dict:
    return {
        "status": campaign.status,
        "reward": campaign.reward,
        "value": campaign.value,
        "funder": campaign.funder,
        "platform_bps": campaign.platform_bps,
        "combinable": campaign.combinable,
        "starts_at": campaign.starts_at.isoformat(),
        "ends_at": campaign.ends_at.isoformat(),
    }


def _audit(campaign: PlatformCampaign, actor, action: str, before: dict, **detail) -> None:
    audit_record(
        actor=actor,
        action=action,
        subject=f"platform_campaign:{campaign.uid}",
        party="platform",
        name=campaign.name,
        before=before,
        after=_summary(campaign),
        **detail,
    )


def _check_discount(reward: str, value: int) -> None:
    if reward == UnitPromotion.Reward.PERCENTAGE:
        if not 1 <= value <= unit_promotions.MAX_PERCENT:
            raise PromotionError(Code.VALUE_INVALID, field="value")
    elif reward != UnitPromotion.Reward.FIXED or value <= 0:
        raise PromotionError(Code.VALUE_INVALID, field="value")


@transaction.atomic
def campaign_propose(
    *,
    actor,
    name: str,
    reward: str,
    value: int,
    funder: str,
    starts_at: datetime,
    ends_at: datetime,
    platform_bps: int | None = None,
    combinable: bool = False,
) -> PlatformCampaign:
    """Platform finance proposes a campaign and its first funding terms; nothing is in Saleor yet."""
    if not may_manage(actor):
        raise PromotionError(Code.CAMPAIGN_NOT_ALLOWED)
    now = clock.now()
    if ends_at <= starts_at:
        raise PromotionError(Code.DATES_INVALID, field="ends_at")
    if ends_at <= now:
        raise PromotionError(Code.ENDS_IN_PAST, field="ends_at")
    _check_discount(reward, value)
    bps = _bps(funder, platform_bps)
    campaign = PlatformCampaign.objects.create(
        name=name.strip()[:200] or "campaign",
        reward=reward,
        value=value,
        combinable=combinable,
        funder=funder,
        platform_bps=bps,
        starts_at=starts_at,
        ends_at=ends_at,
        proposed_by=actor,
        proposed_at=now,
    )
    _audit(campaign, actor, "platform_campaign.proposed", {})
    return campaign


def _locked_proposed(campaign_id: int) -> PlatformCampaign:
    campaign = PlatformCampaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != S.PROPOSED:
        raise PromotionError(Code.CAMPAIGN_STALE)
    return campaign


def _decide(campaign: PlatformCampaign, status: str, actor) -> dict:
    if not may_manage(actor):
        raise PromotionError(Code.CAMPAIGN_NOT_ALLOWED)
    refuse_same_person(actor, campaign.proposed_by_id, PromotionError, Code.CAMPAIGN_APPROVER_IS_PROPOSER)
    before = _summary(campaign)
    campaign.record_decision(status, actor)
    return before


def campaign_reject(*, campaign_id: int, actor) -> PlatformCampaign:
    with transaction.atomic():
        campaign = _locked_proposed(campaign_id)
        before = _decide(campaign, S.REJECTED, actor)
        _audit(campaign, actor, "platform_campaign.rejected", before)
    return campaign


def _channel(client: SaleorClient) -> dict:
    channel = client.execute("SalesChannel", {"slug": settings.SALEOR_CHANNEL_SLUG}).get("channel")
    if channel is None:
        raise SaleorError(f"no Saleor channel {settings.SALEOR_CHANNEL_SLUG!r}")
    return channel


def campaign_approve(*, campaign_id: int, actor, client: SaleorClient | None = None) -> PlatformCampaign:
    """Another member of platform finance approves: the campaign is created in Saleor (a catalogue promotion,
    its products added as units opt in) and its funding recorded as version 1, proposer and approver its
    two people. Saleor's refusal leaves it FAILED with Saleor's message."""
    with transaction.atomic():
        campaign = _locked_proposed(campaign_id)
        if campaign.ends_at <= clock.now():
            raise PromotionError(Code.ENDS_IN_PAST, field="ends_at")
        before = _decide(campaign, S.CREATING, actor)
        _audit(campaign, actor, "platform_campaign.approved", before)
    try:
        client = client or app_client()
        created = client.mutate(
            "PromotionCreate",
            {
                "input": {
                    "name": f"平台活动 · {campaign.name}"[:250],
                    "type": "CATALOGUE",
                    "startDate": campaign.starts_at.isoformat(),
                    "endDate": campaign.ends_at.isoformat(),
                    "rules": [],
                }
            },
            "promotionCreate",
        )["promotion"]
    except (SaleorError, SaleorNotInstalled) as exc:
        PlatformCampaign.objects.filter(pk=campaign.pk).update(status=S.FAILED, last_error=str(exc)[:2000])
        campaign.refresh_from_db()
        _audit(campaign, actor, "platform_campaign.failed", {"status": S.CREATING}, error=str(exc)[:500])
        return campaign
    try:
        return _funded(campaign, actor, created["id"])
    except FundingError as exc:  # its promotion ID has a rule already: never taken over
        PlatformCampaign.objects.filter(pk=campaign.pk).update(
            status=S.FAILED, saleor_id=created["id"], last_error=exc.message[:2000]
        )
        campaign.refresh_from_db()
        _audit(campaign, actor, "platform_campaign.failed", {"status": S.CREATING}, error=exc.message[:500])
        return campaign


@transaction.atomic
def _funded(campaign: PlatformCampaign, actor, saleor_id: str) -> PlatformCampaign:
    """Live, with version 1 of its funding in force from now (proposer and approver its two people)."""
    campaign = PlatformCampaign.objects.select_for_update().get(pk=campaign.pk)
    before = _summary(campaign)
    campaign.status, campaign.saleor_id, campaign.funding_key = S.LIVE, saleor_id, saleor_id
    campaign.save(update_fields=["status", "saleor_id", "funding_key"])
    funding.funding_record_decided(
        key=campaign.funding_key,
        name=f"平台活动 · {campaign.name}",
        funder=campaign.funder,
        platform_bps=campaign.platform_bps,
        proposed_by=campaign.proposed_by,
        approved_by=actor,
        subject=f"platform_campaign:{campaign.uid}",
        action="discount_funding.campaign_recorded",
    )
    _audit(campaign, actor, "platform_campaign.created", before, saleor_id=campaign.saleor_id)
    return campaign


def _value(campaign: PlatformCampaign) -> str:
    if campaign.reward == UnitPromotion.Reward.PERCENTAGE:
        return str(campaign.value)
    return minor_format(campaign.value, "CNY")


def campaign_opt_in(
    *, campaign_id: int, unit, listing_id: int, actor, client: SaleorClient | None = None
) -> CampaignOptIn:
    """A unit's operator puts one of its own products (in Saleor) into a running campaign: refused for
    another unit's product, after the campaign ended, twice, or when the campaign forbids combining and
    the product has a unit sale or voucher at overlapping dates. Then one Saleor rule on that product."""
    if not unit_promotions.may_propose(actor, unit):
        raise PromotionError(Code.NOT_ALLOWED)
    campaign = PlatformCampaign.objects.get(pk=campaign_id)
    listing = Listing.objects.filter(pk=listing_id).first()
    if listing is None or listing.unit_id != unit.pk:
        raise PromotionError(Code.LISTING_OF_ANOTHER_UNIT, field="listing")
    if not listing.saleor_product_id:
        raise PromotionError(Code.LISTING_NOT_IN_SALEOR, field="listing", name=listing.name_zh)
    if campaign.status != S.LIVE:
        raise PromotionError(Code.CAMPAIGN_NOT_LIVE)
    if campaign.ends_at <= clock.now():
        raise PromotionError(Code.CAMPAIGN_ENDED, name=campaign.name)
    if CampaignOptIn.objects.filter(campaign=campaign, listing=listing).exists():
        raise PromotionError(Code.CAMPAIGN_ALREADY_IN, field="listing", name=listing.name_zh)
    if not campaign.combinable:
        clash = unit_promotion_conflict(
            listing_id=listing.pk, starts_at=campaign.starts_at, ends_at=campaign.ends_at
        )
        if clash is not None:
            raise PromotionError(
                Code.CAMPAIGN_NOT_COMBINABLE,
                field="listing",
                name=listing.name_zh,
                campaign=campaign.name,
                other=clash.name,
            )
    rival = other_campaign_conflict(campaign=campaign, listing_id=listing.pk)
    if rival is not None:
        raise PromotionError(
            Code.CAMPAIGN_NOT_COMBINABLE,
            field="listing",
            name=listing.name_zh,
            campaign=campaign.name if not campaign.combinable else rival.campaign.name,
            other=rival.campaign.name,
        )
    try:
        client = client or app_client()
        rule = client.mutate(
            "CampaignRuleCreate",
            {
                "input": {
                    "promotion": campaign.saleor_id,
                    "name": f"{unit} · {listing.name_zh}"[:250],
                    "channels": [_channel(client)["id"]],
                    "rewardValueType": "PERCENTAGE"
                    if campaign.reward == UnitPromotion.Reward.PERCENTAGE
                    else "FIXED",
                    "rewardValue": _value(campaign),
                    "cataloguePredicate": {"productPredicate": {"ids": [listing.saleor_product_id]}},
                }
            },
            "promotionRuleCreate",
        )["promotionRule"]
    except (SaleorError, SaleorNotInstalled) as exc:
        raise PromotionError(Code.CAMPAIGN_SHOP_REFUSED, error=str(exc)[:300]) from exc
    try:
        with transaction.atomic():
            opt_in = CampaignOptIn.objects.create(
                campaign=campaign,
                unit=unit,
                listing=listing,
                product_id=listing.saleor_product_id,
                saleor_rule_id=rule["id"],
                opted_by=actor,
                opted_at=clock.now(),
            )
            audit_record(
                actor=actor,
                action="platform_campaign.opted_in",
                subject=f"platform_campaign:{campaign.uid}",
                party=unit.party_key,
                product=listing.saleor_product_id,
                rule=rule["id"],
            )
    except IntegrityError as exc:
        if violated_constraint(exc) == "campaign_opt_in_once":
            raise PromotionError(Code.CAMPAIGN_ALREADY_IN, field="listing", name=listing.name_zh) from exc
        raise
    return opt_in


def campaign_funding_propose(
    *, campaign_id: int, actor, funder: str, platform_bps: int | None = None, note: str = ""
) -> DiscountFundingVersion:
    """Propose who funds the campaign from approval on (orders paid before keep their version)."""
    campaign = PlatformCampaign.objects.get(pk=campaign_id)
    if campaign.status != S.LIVE:
        raise PromotionError(Code.CAMPAIGN_NOT_LIVE)
    return funding.funding_propose(
        key=campaign.funding_key,
        funder=funder,
        platform_bps=platform_bps,
        actor=actor,
        name=f"平台活动 · {campaign.name}",
        note=note,
    )


def campaign_funding_approve(*, campaign_id: int, version_id: int, actor) -> DiscountFundingVersion:
    """Another member of platform finance puts the proposed terms in force (stale: refused)."""
    campaign = PlatformCampaign.objects.get(pk=campaign_id)
    if not DiscountFundingVersion.objects.filter(pk=version_id, funding__key=campaign.funding_key).exists():
        raise PromotionError(Code.CAMPAIGN_STALE)
    return funding.funding_approve(version_id=version_id, actor=actor)
