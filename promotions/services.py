"""Units' own promotions: an operator proposes a sale or voucher on the unit's products, the unit's finance
member (another person) approves it, this service creates it in Saleor and records it as funded by the unit.

Funding: `payments.funding.services.funding_record_unit` keys it by what Saleor writes on the order lines it
reduces (the promotion's ID, the voucher's code), so the split charges the discount to that unit's parties
only. Every step is in the finance audit trail.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.db import transaction

from catalog.models import Listing, ListingVariant
from catalog.permissions import can_manage_listings
from core import clock
from core.audit import audit_record
from core.money import minor_format
from payments.funding.models import DiscountFunding
from payments.funding.services import funding_record_unit
from promotions.error_codes import PromotionError
from promotions.error_codes import PromotionErrorCode as Code
from promotions.models import UnitPromotion
from promotions.selectors import budget_used, campaign_conflict
from saleor_app.app_client import app_client
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorError, SaleorNotInstalled
from unit_onboarding.models import Unit, UnitMembership
from unit_onboarding.permissions import unit_roles

S = UnitPromotion.Status
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{3,64}$")
MAX_PERCENT = 90


def may_propose(user, unit: Unit) -> bool:
    return can_manage_listings(user, unit)


def may_view(user, unit: Unit) -> bool:
    return bool(unit_roles(user, unit))


def may_approve(user, promotion: UnitPromotion) -> bool:
    """The unit's finance members, never whoever proposed it (the unit's money is spent)."""
    return (
        user.is_authenticated
        and user.pk != promotion.proposed_by_id
        and UnitMembership.Role.FINANCE in unit_roles(user, promotion.unit)
    )


def _scope(unit: Unit, listing_ids) -> list[Listing]:
    """The chosen listings, each the unit's own and in Saleor; refused otherwise."""
    wanted = set(listing_ids)
    if not wanted:
        raise PromotionError(Code.NO_LISTINGS, field="listings")
    found = list(Listing.objects.filter(pk__in=wanted).order_by("pk"))
    if len(found) != len(wanted) or any(listing.unit_id != unit.pk for listing in found):
        raise PromotionError(Code.LISTING_OF_ANOTHER_UNIT, field="listings")
    for listing in found:
        if not listing.saleor_product_id:
            raise PromotionError(Code.LISTING_NOT_IN_SALEOR, field="listings", name=listing.name_zh)
    return found


def most_cost(*, reward: str, value: int, prices: list[int], uses: int) -> int:
    """The most the promotion can cost, fen: a voucher applies once per order (to one item), `uses` times; a
    sale is bounded here by one item (its real cost is read from the order lines it reduced)."""
    top = max(prices)
    per_item = top * value // 100 if reward == UnitPromotion.Reward.PERCENTAGE else value
    return per_item * uses


def _check_terms(*, kind, reward, value, code, usage_limit, budget_fen, starts_at, ends_at, prices, now):
    if ends_at <= starts_at:
        raise PromotionError(Code.DATES_INVALID, field="ends_at")
    if ends_at <= now:
        raise PromotionError(Code.ENDS_IN_PAST, field="ends_at")
    if reward == UnitPromotion.Reward.PERCENTAGE:
        if not 1 <= value <= MAX_PERCENT:
            raise PromotionError(Code.VALUE_INVALID, field="value")
    elif reward != UnitPromotion.Reward.FIXED or not 0 < value < min(prices):
        raise PromotionError(Code.VALUE_INVALID, field="value")
    if kind == UnitPromotion.Kind.VOUCHER and (not CODE_RE.match(code or "") or not usage_limit):
        raise PromotionError(Code.CODE_REQUIRED, field="code")
    if kind == UnitPromotion.Kind.VOUCHER and DiscountFunding.objects.filter(key=code).exists():
        # its funding is decided already (a platform rule, another unit's voucher): never taken over
        raise PromotionError(Code.CODE_TAKEN, field="code", voucher=code)
    if not budget_fen or budget_fen <= 0:
        raise PromotionError(Code.BUDGET_INVALID, field="budget_fen")
    most = most_cost(reward=reward, value=value, prices=prices, uses=usage_limit or 1)
    if most > budget_fen:
        raise PromotionError(
            Code.OVER_BUDGET,
            field="budget_fen",
            most=minor_format(most, "CNY"),
            cap=minor_format(budget_fen, "CNY"),
        )


def _check_combinable(listings: list[Listing], starts_at: datetime, ends_at: datetime) -> None:
    """Refused on a product in a platform campaign that forbids combining, at overlapping dates."""
    clash = campaign_conflict(listing_ids=[x.pk for x in listings], starts_at=starts_at, ends_at=ends_at)
    if clash is not None:
        raise PromotionError(
            Code.CAMPAIGN_NOT_COMBINABLE,
            field="listings",
            name=clash.listing.name_zh,
            campaign=clash.campaign.name,
            other=clash.campaign.name,
        )


def _prices(listings: list[Listing]) -> list[int]:
    return list(ListingVariant.objects.filter(listing__in=listings).values_list("price_fen", flat=True)) or [
        0
    ]


def _summary(promotion: UnitPromotion) -> dict:
    return {
        "status": promotion.status,
        "kind": promotion.kind,
        "reward": promotion.reward,
        "value": promotion.value,
        "code": promotion.code,
        "usage_limit": promotion.usage_limit,
        "budget_fen": promotion.budget_fen,
        "starts_at": promotion.starts_at.isoformat(),
        "ends_at": promotion.ends_at.isoformat(),
        "products": promotion.product_ids,
    }


def _audit(promotion: UnitPromotion, actor, action: str, before: dict, **detail) -> None:
    audit_record(
        actor=actor,
        action=action,
        subject=f"unit_promotion:{promotion.uid}",
        party=f"unit:{promotion.unit.uid}",
        name=promotion.name,
        before=before,
        after=_summary(promotion),
        **detail,
    )


@transaction.atomic
def promotion_propose(
    *,
    unit: Unit,
    actor,
    kind: str,
    name: str,
    listing_ids,
    reward: str,
    value: int,
    budget_fen: int,
    starts_at: datetime,
    ends_at: datetime,
    code: str = "",
    usage_limit: int | None = None,
    note: str = "",
) -> UnitPromotion:
    """An operator proposes a sale or voucher on the unit's own listings; nothing is in Saleor yet."""
    if not may_propose(actor, unit):
        raise PromotionError(Code.NOT_ALLOWED)
    listings = _scope(unit, listing_ids)
    now = clock.now()
    code = (code or "").strip() if kind == UnitPromotion.Kind.VOUCHER else ""
    usage_limit = usage_limit if kind == UnitPromotion.Kind.VOUCHER else None
    # the terms as checked are the terms stored
    terms = {
        "reward": reward,
        "value": value,
        "code": code,
        "usage_limit": usage_limit,
        "budget_fen": budget_fen,
        "starts_at": starts_at,
        "ends_at": ends_at,
    }
    _check_terms(kind=kind, **terms, prices=_prices(listings), now=now)
    _check_combinable(listings, starts_at, ends_at)
    promotion = UnitPromotion.objects.create(
        unit=unit,
        kind=kind,
        name=name.strip()[:200] or kind,
        product_ids=sorted(listing.saleor_product_id for listing in listings),
        **terms,
        proposed_by=actor,
        proposed_at=now,
        note=note,
    )
    promotion.listings.set(listings)
    _audit(promotion, actor, "unit_promotion.proposed", {})
    return promotion


def _locked_proposed(promotion_id: int) -> UnitPromotion:
    promotion = UnitPromotion.objects.select_for_update().select_related("unit").get(pk=promotion_id)
    if promotion.status != S.PROPOSED:
        raise PromotionError(Code.STALE)
    return promotion


def _decide(promotion: UnitPromotion, status: str, actor) -> dict:
    before = _summary(promotion)
    promotion.record_decision(status, actor)
    return before


def promotion_reject(*, promotion_id: int, actor, note: str = "") -> UnitPromotion:
    with transaction.atomic():
        promotion = _locked_proposed(promotion_id)
        if not may_approve(actor, promotion):
            raise PromotionError(Code.APPROVER_IS_PROPOSER)
        before = _decide(promotion, S.REJECTED, actor)
        promotion.note = "\n".join(filter(None, [promotion.note, note.strip()]))
        promotion.save(update_fields=["note"])
        _audit(promotion, actor, "unit_promotion.rejected", before)
    return promotion


def promotion_withdraw(*, promotion_id: int, actor) -> UnitPromotion:
    with transaction.atomic():
        promotion = _locked_proposed(promotion_id)
        if actor.pk != promotion.proposed_by_id:
            raise PromotionError(Code.NOT_ALLOWED)
        before = _summary(promotion)
        promotion.status = S.WITHDRAWN
        promotion.save(update_fields=["status"])
        _audit(promotion, actor, "unit_promotion.withdrawn", before)
    return promotion


def promotion_approve(*, promotion_id: int, actor, client: SaleorClient | None = None) -> UnitPromotion:
    """The unit's finance member (not the proposer) approves: refused when stale (decided meanwhile, or its
    products are no longer exactly the unit's listings it named), over budget or ended; then created in Saleor
    and recorded as funded by the unit. Saleor's refusal leaves it FAILED with Saleor's message."""
    with transaction.atomic():
        promotion = _locked_proposed(promotion_id)
        if not may_approve(actor, promotion):
            if UnitMembership.Role.FINANCE in unit_roles(actor, promotion.unit):
                raise PromotionError(Code.APPROVER_IS_PROPOSER)
            raise PromotionError(Code.NOT_ALLOWED)
        listings = list(promotion.listings.order_by("pk"))
        current = sorted(
            listing.saleor_product_id
            for listing in listings
            if listing.unit_id == promotion.unit_id and listing.saleor_product_id
        )
        if current != promotion.product_ids:
            raise PromotionError(Code.STALE)
        _check_combinable(listings, promotion.starts_at, promotion.ends_at)
        _check_terms(
            kind=promotion.kind,
            reward=promotion.reward,
            value=promotion.value,
            code=promotion.code,
            usage_limit=promotion.usage_limit,
            budget_fen=promotion.budget_fen,
            starts_at=promotion.starts_at,
            ends_at=promotion.ends_at,
            prices=_prices(listings),
            now=clock.now(),
        )
        before = _decide(promotion, S.CREATING, actor)
        _audit(promotion, actor, "unit_promotion.approved", before)
    try:
        client = client or app_client()
        saleor_id, key = _create_in_saleor(promotion, client)
    except (SaleorError, SaleorNotInstalled) as exc:
        UnitPromotion.objects.filter(pk=promotion.pk).update(status=S.FAILED, last_error=str(exc)[:2000])
        promotion.refresh_from_db()
        _audit(promotion, actor, "unit_promotion.failed", {"status": S.CREATING}, error=str(exc)[:500])
        return promotion
    with transaction.atomic():
        promotion = UnitPromotion.objects.select_for_update().select_related("unit").get(pk=promotion.pk)
        promotion.status, promotion.saleor_id, promotion.funding_key = S.CREATED, saleor_id, key
        promotion.save(update_fields=["status", "saleor_id", "funding_key"])
        funding_record_unit(
            key=key,
            name=f"{promotion.unit} · {promotion.name}",
            proposed_by=promotion.proposed_by,
            approved_by=actor,
            subject=f"unit_promotion:{promotion.uid}",
        )
        _audit(promotion, actor, "unit_promotion.created", {"status": S.CREATING}, saleor_id=saleor_id)
    return promotion


def _value(promotion: UnitPromotion) -> str:
    if promotion.reward == UnitPromotion.Reward.PERCENTAGE:
        return str(promotion.value)
    return minor_format(promotion.value, "CNY")


def _create_in_saleor(promotion: UnitPromotion, client: SaleorClient) -> tuple[str, str]:
    """(Saleor id, funding key): the promotion's ID for a sale, the code for a voucher."""
    channel = client.execute("SalesChannel", {"slug": settings.SALEOR_CHANNEL_SLUG}).get("channel")
    if channel is None:
        raise SaleorError(f"no Saleor channel {settings.SALEOR_CHANNEL_SLUG!r}")
    value_type = "PERCENTAGE" if promotion.reward == UnitPromotion.Reward.PERCENTAGE else "FIXED"
    name = f"{promotion.unit} · {promotion.name}"[:250]
    dates = {"startDate": promotion.starts_at.isoformat(), "endDate": promotion.ends_at.isoformat()}
    if promotion.kind == UnitPromotion.Kind.SALE:
        created = client.mutate(
            "PromotionCreate",
            {
                "input": {
                    "name": name,
                    "type": "CATALOGUE",
                    **dates,
                    "rules": [
                        {
                            "name": promotion.name[:250],
                            "channels": [channel["id"]],
                            "rewardValueType": value_type,
                            "rewardValue": _value(promotion),
                            "cataloguePredicate": {"productPredicate": {"ids": promotion.product_ids}},
                        }
                    ],
                }
            },
            "promotionCreate",
        )["promotion"]
        return created["id"], created["id"]
    voucher = client.mutate(
        "VoucherCreate",
        {
            "input": {
                "type": "SPECIFIC_PRODUCT",
                "name": name,
                "addCodes": [promotion.code],
                **dates,
                "discountValueType": value_type,
                "products": promotion.product_ids,
                "usageLimit": promotion.usage_limit,
                "applyOncePerOrder": True,  # one item per order: the budget's bound holds
            }
        },
        "voucherCreate",
    )["voucher"]
    UnitPromotion.objects.filter(pk=promotion.pk).update(saleor_id=voucher["id"])
    client.mutate(
        "VoucherChannelListingUpdate",
        {
            "id": voucher["id"],
            "input": {"addChannels": [{"channelId": channel["id"], "discountValue": _value(promotion)}]},
        },
        "voucherChannelListingUpdate",
    )
    return voucher["id"], promotion.code


def promotions_budget_enforce(*, client: SaleorClient | None = None) -> list[str]:
    """End now, in Saleor, each unit's sale still running whose discounts on recorded order lines reached its
    budget cap (a voucher is bounded by its uses, once per order, checked at approval). Saleor's refusal
    leaves it running with the reason, tried again on the next run. The uids of the sales ended."""
    now = clock.now()
    running = UnitPromotion.objects.filter(
        kind=UnitPromotion.Kind.SALE, status=S.CREATED, starts_at__lte=now, ends_at__gt=now
    ).select_related("unit")
    spent = [p for p in running if budget_used(p) >= p.budget_fen]
    ended = []
    for promotion in spent:
        try:
            client = client or app_client()
            client.mutate(
                "PromotionEnd", {"id": promotion.saleor_id, "endDate": now.isoformat()}, "promotionUpdate"
            )
        except (SaleorError, SaleorNotInstalled) as exc:
            UnitPromotion.objects.filter(pk=promotion.pk).update(last_error=str(exc)[:2000])
            continue
        with transaction.atomic():
            locked = UnitPromotion.objects.select_for_update().select_related("unit").get(pk=promotion.pk)
            before = _summary(locked)
            locked.status, locked.ends_at, locked.last_error = S.ENDED, now, ""
            locked.save(update_fields=["status", "ends_at", "last_error"])
            _audit(locked, None, "unit_promotion.budget_spent", before, used=budget_used(locked))
        ended.append(str(promotion.uid))
    return ended
