"""Reads of units' promotions: a unit's list, and what each has cost from the order lines it reduced."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Sum

from catalog.models import Listing
from orders.models import OrderLine
from payments.funding.models import DiscountFundingVersion
from payments.models import SplitLine
from payments.settlement.stats import FestivalFigures
from payments.split import BPS_TOTAL, LineKind, allocate_bps, discount_ref
from promotions.models import CampaignOptIn, PlatformCampaign, UnitPromotion
from unit_onboarding.models import Unit


def budget_used(promotion: UnitPromotion) -> int:
    """Fen of discount the promotion gave on the unit's recorded order lines (net of tax, as Saleor spread
    it: `OrderLine.discounts`), whatever the order's state."""
    if not promotion.funding_key:
        return 0
    used = 0
    lines = OrderLine.objects.filter(
        unit=promotion.unit, discounts__contains=[{"key": promotion.funding_key}]
    ).values_list("discounts", flat=True)
    for discounts in lines:
        used += sum(d["amount"] for d in discounts if d.get("key") == promotion.funding_key)
    return used


def unit_promotions(unit: Unit) -> list[tuple[UnitPromotion, int]]:
    rows = UnitPromotion.objects.filter(unit=unit).select_related("proposed_by", "decided_by")
    return [(p, budget_used(p)) for p in rows.order_by("-proposed_at")]


# a unit's promotion still able to reduce prices (or about to be created)
_UNIT_LIVE = [UnitPromotion.Status.PROPOSED, UnitPromotion.Status.CREATING, UnitPromotion.Status.CREATED]


def campaign_conflict(*, listing_ids, starts_at, ends_at) -> CampaignOptIn | None:
    """An opt-in of one of the listings in a live, not combinable platform campaign whose dates overlap."""
    return (
        CampaignOptIn.objects.filter(
            listing_id__in=list(listing_ids),
            campaign__combinable=False,
            campaign__status=PlatformCampaign.Status.LIVE,
            campaign__starts_at__lt=ends_at,
            campaign__ends_at__gt=starts_at,
        )
        .select_related("campaign", "listing")
        .order_by("pk")
        .first()
    )


def other_campaign_conflict(*, campaign: PlatformCampaign, listing_id: int) -> CampaignOptIn | None:
    """The listing in another live campaign at overlapping dates that may not be combined with this one
    (either of the two forbids combining)."""
    others = CampaignOptIn.objects.filter(
        listing_id=listing_id,
        campaign__status=PlatformCampaign.Status.LIVE,
        campaign__starts_at__lt=campaign.ends_at,
        campaign__ends_at__gt=campaign.starts_at,
    ).exclude(campaign=campaign)
    if campaign.combinable:
        others = others.filter(campaign__combinable=False)
    return others.select_related("campaign").order_by("pk").first()


def unit_promotion_conflict(*, listing_id: int, starts_at, ends_at) -> UnitPromotion | None:
    """A unit's own sale or voucher on the listing, proposed or running, whose dates overlap."""
    return (
        UnitPromotion.objects.filter(
            listings=listing_id, status__in=_UNIT_LIVE, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .order_by("pk")
        .first()
    )


def live_campaigns_for_units(now) -> list[PlatformCampaign]:
    """Campaigns a unit may still join: running in the shop and not ended."""
    return list(PlatformCampaign.objects.filter(status=PlatformCampaign.Status.LIVE, ends_at__gt=now))


def campaigns_listed() -> list[PlatformCampaign]:
    return list(PlatformCampaign.objects.select_related("proposed_by", "decided_by").order_by("-starts_at"))


def campaign_opt_ins(campaign: PlatformCampaign) -> list[CampaignOptIn]:
    return list(
        CampaignOptIn.objects.filter(campaign=campaign)
        .select_related("unit", "listing", "opted_by")
        .order_by("unit_id", "pk")
    )


def campaign_funding_versions(campaign: PlatformCampaign) -> list[DiscountFundingVersion]:
    if not campaign.funding_key:
        return []
    return list(
        DiscountFundingVersion.objects.filter(funding__key=campaign.funding_key)
        .select_related("proposed_by", "decided_by")
        .order_by("-number")
    )


def unit_listings_in_shop(unit: Unit) -> list[Listing]:
    """The unit's own listings in Saleor: the only ones its operators are offered."""
    return list(Listing.objects.filter(unit=unit).exclude(saleor_product_id="").order_by("name_zh"))


def unit_opt_ins(unit: Unit) -> list[CampaignOptIn]:
    return list(
        CampaignOptIn.objects.filter(unit=unit).select_related("campaign", "listing").order_by("-opted_at")
    )


@dataclass
class CampaignUnitRow:
    """One unit's figures in a campaign, fen: `gross` before any discount, `discount` the campaign's part,
    what the platform and the unit fund of it, `paid` what buyers paid (net of tax), at payment;
    `refunded` what buyers have been given back since, and `net` what the unit's parties share now (the
    ledger's product split lines: paid plus the platform's funding, less refunds)."""

    unit: Unit
    orders: set = field(default_factory=set)
    lines: int = 0
    gross: int = 0
    discount: int = 0
    platform_funded: int = 0
    unit_funded: int = 0
    paid: int = 0
    refunded: int = 0
    net: int = 0


def campaign_report(campaign: PlatformCampaign) -> tuple[list[CampaignUnitRow], CampaignUnitRow]:
    """The campaign's paid order lines by unit, and the total: each line's funding by the version frozen on
    its split (the ledger's split lines), in three queries whatever the number of orders."""
    total = CampaignUnitRow(unit=None)
    if not campaign.funding_key:
        return [], total
    key = campaign.funding_key
    lines = list(
        OrderLine.objects.filter(discounts__contains=[{"key": key}])
        .select_related("unit", "order")
        .order_by("pk")
    )
    refs = [ln.saleor_id for ln in lines] + [discount_ref(ln.saleor_id) for ln in lines]
    frozen: dict[str, str] = {}
    paid_refs: set[str] = set()
    sums: Counter[str] = Counter()  # by line ref, every posting (payment, refunds) of the line
    for ref, kind, version, amount in (
        SplitLine.objects.filter(line_ref__in=refs)
        .values_list("line_ref", "line_kind", "agreement_version")
        .annotate(amount=Sum("amount"))
    ):
        sums[ref] += amount
        if kind == LineKind.PRODUCT:
            paid_refs.add(ref)
        elif kind == LineKind.DISCOUNT:
            frozen[ref] = version
    bps_of = {
        str(pk): bps
        for pk, bps in DiscountFundingVersion.objects.filter(funding__key=key).values_list(
            "pk", "platform_bps"
        )
    }
    rows: dict[int, CampaignUnitRow] = {}
    for line in lines:
        if line.saleor_id not in paid_refs:
            continue  # not paid (or held): not the campaign's sale yet
        amount = sum(d["amount"] for d in line.discounts if d.get("key") == key)
        pks = frozen.get(discount_ref(line.saleor_id), "").removeprefix("discount_funding:").split("+")
        bps = next((bps_of[pk] for pk in pks if pk in bps_of), 0)
        platform = allocate_bps(amount, [bps, BPS_TOTAL - bps])[0] if bps else 0
        shares = sums[line.saleor_id]  # the unit's parties' now
        funded_now = -sums[discount_ref(line.saleor_id)]  # the platform's funding left on the line
        for row in (rows.setdefault(line.unit_id, CampaignUnitRow(unit=line.unit)), total):
            row.orders.add(line.order_id)
            row.lines += 1
            row.gross += line.total_net + sum(d["amount"] for d in line.discounts)
            row.discount += amount
            row.platform_funded += platform
            row.unit_funded += amount - platform
            row.paid += line.total_net
            row.refunded += line.total_net - (shares - funded_now)
            row.net += shares
    return sorted(rows.values(), key=lambda r: str(r.unit)), total


def bureau_festival_figures(start, end) -> list[FestivalFigures]:
    """Each platform campaign running in [start, end) (created in the shop): all its paid orders' figures."""
    running = PlatformCampaign.objects.filter(
        status=PlatformCampaign.Status.LIVE, starts_at__lt=end, ends_at__gt=start
    ).order_by("starts_at", "pk")
    out = []
    for campaign in running:
        _rows, total = campaign_report(campaign)
        out.append(
            FestivalFigures(
                name=campaign.name,
                orders=len(total.orders),
                sales=total.paid,
                discount=total.discount,
                platform_funded=total.platform_funded,
            )
        )
    return out
