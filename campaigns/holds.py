"""The campaigns' answer to orders: which paid lines are reward tiers of a live campaign, held for it.

Decided by the order's figures and payment time only: a line is held when its SKU is a tier of a campaign
that was launched (reviewed) before the payment and whose window [start, end) holds the payment time, so a
redelivered payment finds the same holds whatever has happened to the campaign since.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Sum

from campaigns import selectors, services
from campaigns.models import Campaign, Pledge, Tier
from orders.holds import Hold
from orders.payload import OrderData
from orders.services import product_line_recipe, tax_line_recipe
from payments.models import SplitLine
from payments.split import Recipe

LAUNCHED = (Campaign.State.LIVE, Campaign.State.SUCCEEDED, Campaign.State.FAILED, Campaign.State.CANCELLED)


def _tiers(*, skus: set[str], paid_at: datetime) -> dict[str, Tier]:
    tiers = Tier.objects.filter(
        sku__in=skus,
        campaign__state__in=LAUNCHED,
        campaign__reviewed_at__lte=paid_at,
        campaign__starts_at__lte=paid_at,
        campaign__ends_at__gt=paid_at,
    ).select_related("campaign__unit")
    return {t.sku: t for t in tiers}


def recipe_json(recipe: Recipe) -> dict:
    return {
        "agreement_version": recipe.agreement_version,
        "fee_rule": str(recipe.fee_rule),
        "shares": [[s.party, s.role, s.bps, s.rule, s.carved] for s in recipe.shares],
    }


def hold_of(campaign: Campaign) -> Hold:
    return Hold(party=campaign.party_key, version=f"campaign:{campaign.uid}"[:64])


class CampaignHolds:
    def lines_held(self, *, data: OrderData, paid_at: datetime) -> dict[str, Hold]:
        skus = {line.sku for line in data.lines if line.sku}
        if not skus:
            return {}
        tiers = _tiers(skus=skus, paid_at=paid_at)
        return {line.saleor_id: hold_of(tiers[line.sku].campaign) for line in data.lines if line.sku in tiers}

    def payment_posted(self, *, data: OrderData, holds: dict[str, Hold]) -> None:
        """One pledge per held line (a redelivery finds it), with the recipe it will be released by."""
        assert data.paid_at is not None
        tiers = _tiers(skus={line.sku for line in data.lines}, paid_at=data.paid_at)
        touched = set()
        for line in data.lines:
            if line.saleor_id not in holds:
                continue
            tier = tiers[line.sku]
            campaign = tier.campaign
            held, tax_held = (
                SplitLine.objects.filter(
                    order_ref=data.saleor_id, line_ref=ref, party=campaign.party_key
                ).aggregate(s=Sum("amount"))["s"]
                or 0
                for ref in (line.saleor_id, f"{line.saleor_id}:tax")
            )
            recipe = product_line_recipe(
                unit=campaign.unit, listing_id=campaign.listing_id, at=data.paid_at, order_ref=data.saleor_id
            )
            tax = tax_line_recipe(unit=campaign.unit, at=data.paid_at, order_ref=data.saleor_id)
            Pledge.objects.get_or_create(
                line_ref=line.saleor_id,
                defaults={
                    "campaign": campaign,
                    "tier": tier,
                    "order_ref": data.saleor_id,
                    "quantity": line.quantity,
                    "held": held,
                    "paid": held + tax_held,
                    "tax_held": tax_held,
                    "tax_recipe": recipe_json(tax),
                    "currency": data.currency,
                    "recipe": recipe_json(recipe),
                    "paid_at": data.paid_at,
                },
            )
            touched.add(campaign.uid)
        # the checkout's tier items are its order's now: never given back as an abandoned checkout's
        services.reservations_paid(
            checkout_ref=data.checkout_id,
            order_ref=data.saleor_id,
            tiers=[tiers[ln.sku] for ln in data.lines if ln.saleor_id in holds],
            paid_at=data.paid_at,
        )
        for uid in touched:  # the campaign page shows the new backer once this is committed
            transaction.on_commit(lambda uid=uid: selectors.campaign_page_invalidate(uid))
