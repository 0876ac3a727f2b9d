"""Reads of units' promotions: a unit's list, and what each has cost from the order lines it reduced."""

from __future__ import annotations

from orders.models import OrderLine
from promotions.models import UnitPromotion
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
