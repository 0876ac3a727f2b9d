"""Reads of campaigns: progress (raised, backers, days left, tier stock) and the cached public page data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum

from campaigns.models import BackerRefund, Campaign, CampaignCancellation, CampaignRefund, Pledge, Tier
from core import clock
from core.party import Party, is_unit_uid
from payments.models import SplitLine
from payments.settlement.stats import CampaignFigures

PUBLIC_STATES = (
    Campaign.State.LIVE,
    Campaign.State.SUCCEEDED,
    Campaign.State.FAILED,
    Campaign.State.CANCELLED,
)


@dataclass(frozen=True)
class Progress:
    raised: int  # fen the backers paid for tiers (tax included)
    backers: int  # distinct paid orders
    goal_kind: str
    goal: int
    percent: int  # 0.. (may pass 100)
    reached: bool


def progress(campaign: Campaign, *, until: datetime | None = None) -> Progress:
    """Raised and backers from the pledges (paid before `until`, default: all of them), less the items
    refunded as beyond a tier's limit (an order all of whose items were is no backer)."""
    pledges = Pledge.objects.filter(campaign=campaign).exclude(order_ref__in=withdrawn_orders(campaign))
    if until is not None:
        pledges = pledges.filter(paid_at__lt=until)
    over = over_limit_by_order(campaign)
    raised = backers = 0
    for row in pledges.order_by().values("order_ref").annotate(paid=Sum("paid"), items=Sum("quantity")):
        amount, items = over.get(row["order_ref"], (0, 0))
        raised += int(row["paid"]) - amount
        backers += row["items"] > items
    if campaign.goal_kind == Campaign.Goal.AMOUNT:
        goal, have = campaign.goal_amount or 0, raised
    else:
        goal, have = campaign.goal_backers or 0, backers
    return Progress(
        raised, backers, campaign.goal_kind, goal, have * 100 // goal if goal else 0, have >= goal
    )


def over_limit_by_order(campaign: Campaign) -> dict[str, tuple[int, int]]:
    """{order: (fen, items)} refunded because its payment came after its tier had sold out."""
    return {
        order_ref: (amount, items)
        for order_ref, amount, items in CampaignRefund.objects.filter(
            campaign=campaign, kind=CampaignRefund.Kind.OVER_LIMIT
        ).values_list("order_ref", "amount", "quantity")
    }


def over_limit_refunds(campaign: Campaign):
    """The campaign's refunds of items paid after their tier sold out, for the unit's page."""
    return CampaignRefund.objects.filter(campaign=campaign, kind=CampaignRefund.Kind.OVER_LIMIT).order_by(
        "pk"
    )


def withdrawn_orders(campaign: Campaign):
    """Orders whose backer's refund the unit granted during the campaign: they no longer back it."""
    return BackerRefund.objects.filter(campaign=campaign, status=BackerRefund.Status.REFUNDING).values(
        "order_ref"
    )


def days_left(campaign: Campaign, now: datetime) -> int:
    return days_left_until(campaign.ends_at, now)


def days_left_until(ends_at: datetime, now: datetime) -> int:
    """Whole Beijing days from today to the last day (0 on the last day, and after the end)."""
    if now >= ends_at:
        return 0
    return max((clock.today(ends_at - _EPS) - clock.today(now)).days, 0)


_EPS = timedelta(microseconds=1)


def unit_campaigns(unit):
    return Campaign.objects.filter(unit=unit).select_related("listing")


def review_queue():
    return Campaign.objects.filter(state=Campaign.State.IN_REVIEW).select_related("unit", "listing")


def public_campaigns():
    return Campaign.objects.filter(state__in=PUBLIC_STATES).select_related("unit")


def _page_key(uid, generation: int) -> str:
    return f"campaign-page:{uid}:{generation}"


def _generation_key(uid) -> str:
    return f"campaign-page-generation:{uid}"


def campaign_page_invalidate(uid) -> None:
    """A paid backing or a change: the next visitor gets the page computed afresh."""
    try:
        cache.incr(_generation_key(uid))
    except ValueError:
        cache.set(_generation_key(uid), 2, timeout=None)


def campaign_public(uid) -> dict | None:
    """The public page's figures, cached in Redis until a backing arrives (or STOREFRONT_CACHE_SECONDS)."""
    generation = int(cache.get(_generation_key(uid)) or 1)
    key = _page_key(uid, generation)
    data = cache.get(key)
    if data is None:
        campaign = (
            Campaign.objects.filter(uid=uid, state__in=PUBLIC_STATES)
            .select_related("unit", "listing")
            .first()
        )
        if campaign is None:
            return None
        p = progress(campaign)
        tiers = Tier.objects.filter(campaign=campaign).select_related("variant")
        data = {
            "uid": str(campaign.uid),
            "state": campaign.state,
            "title_zh": campaign.title_zh,
            "title_en": campaign.title_en,
            "story_zh": campaign.story_zh,
            "story_en": campaign.story_en,
            "unit_name_zh": campaign.unit.legal_name_zh,
            "unit_name_en": campaign.unit.legal_name_en,
            "unit_id": campaign.unit.pk,
            "starts_at": campaign.starts_at,
            "ends_at": campaign.ends_at,
            "estimated_delivery": campaign.estimated_delivery,
            "currency": campaign.currency,
            "progress": p,
            "tiers": [
                {
                    "sku": t.sku,
                    "variant_id": campaign.listing.saleor_variant_ids.get(t.sku, ""),
                    "name_zh": t.variant.name_zh,
                    "name_en": t.variant.name_en,
                    "price_fen": t.price_fen,
                    "limit": t.limit,
                    "left": t.left,
                }
                for t in tiers
            ],
            "updates": list(campaign.updates.values("body_zh", "body_en", "posted_at")[:20]),
            "generation": generation,
        }
        cache.set(key, data, timeout=settings.STOREFRONT_CACHE_SECONDS)
    return data


def pledges_to_refund(campaign: Campaign) -> list[tuple[str, int, str]]:
    """(order, fen left on its tier lines and their tax in the ledger, currency) per backing order of the
    campaign: what the backer paid less what was refunded already, wherever it sits (held or released), and
    less its items refunded as beyond the tier's limit; an order whose backer's own refund was granted is
    refunded by that and not again."""
    lines: dict[str, list[str]] = {}
    currency: dict[str, str] = {}
    pledges = Pledge.objects.filter(campaign=campaign).exclude(order_ref__in=withdrawn_orders(campaign))
    for order_ref, line_ref, cur in pledges.values_list("order_ref", "line_ref", "currency"):
        lines.setdefault(order_ref, []).extend([line_ref, f"{line_ref}:tax"])
        currency[order_ref] = cur
    paid = dict(pledges.order_by().values("order_ref").annotate(s=Sum("paid")).values_list("order_ref", "s"))
    over = over_limit_by_order(campaign)
    out = []
    for order_ref in sorted(lines):
        left = SplitLine.objects.filter(order_ref=order_ref, line_ref__in=lines[order_ref]).aggregate(
            s=Sum("amount")
        )["s"]
        # an over-limit refund not yet in the ledger is not refunded twice
        left = min(int(left or 0), int(paid[order_ref]) - over.get(order_ref, (0, 0))[0])
        if left > 0:
            out.append((order_ref, left, currency[order_ref]))
    return out


def held_balance(campaign: Campaign) -> int:
    """Fen still held for the campaign in the ledger (its party's split lines)."""
    return int(SplitLine.objects.filter(party=campaign.party_key).aggregate(s=Sum("amount"))["s"] or 0)


def cancellations_waiting():
    return CampaignCancellation.objects.filter(status=CampaignCancellation.Status.REQUESTED).select_related(
        "campaign__unit", "requested_by"
    )


def refunds_for_finance():
    """Campaign refunds (of either kind) not yet requested from Saleor (parked after a failure first), for
    platform finance."""
    return (
        CampaignRefund.objects.filter(
            status__in=[CampaignRefund.Status.FAILED, CampaignRefund.Status.PENDING]
        )
        .select_related("campaign__unit")
        .order_by("-status", "-attempts", "pk")
    )


def campaign_party_titles(keys: list[str], english: bool) -> dict[str, str]:
    """{held-account party key: the campaign's title} (English when asked and given), for the names people
    read on statements, finance pages and exports instead of `campaign:<uid>`."""
    uids = [Party.parse(k).id for k in keys]
    valid = [u for u in uids if is_unit_uid(u)]  # a well-formed uid (a key typed by hand may hold anything)
    return {
        c.party_key: (c.title_en if english and c.title_en else c.title_zh)
        for c in Campaign.objects.filter(uid__in=valid).only("uid", "title_zh", "title_en")
    }


def unit_campaign_parties(unit_ids: list[int]) -> set[str]:
    """The held-account parties of these units' campaigns (for their finance members' statements)."""
    return {c.party_key for c in Campaign.objects.filter(unit_id__in=unit_ids).only("uid")}


def bureau_campaign_figures(start: datetime, end: datetime):
    """Per unit, the campaigns launched (approved by a curator) in [start, end): how many, how many of them
    succeeded, what they raised and from how many backers (as their progress counts them)."""

    per_unit: dict[int, list[int]] = {}
    launched = Campaign.objects.filter(reviewed_at__gte=start, reviewed_at__lt=end).exclude(
        state__in=[Campaign.State.DRAFT, Campaign.State.IN_REVIEW]
    )
    for campaign in launched.order_by("pk"):
        p = progress(campaign)
        row = per_unit.setdefault(campaign.unit_id, [0, 0, 0, 0])
        row[0] += 1
        row[1] += campaign.state == Campaign.State.SUCCEEDED
        row[2] += p.raised
        row[3] += p.backers
    return [CampaignFigures(unit_id, *row) for unit_id, row in sorted(per_unit.items())]
