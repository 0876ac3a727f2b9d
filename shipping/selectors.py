"""Reads of shipping rates and quotes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from shipping.models import ShippingQuote, ShippingRates
from unit_onboarding.models import Unit


def rates_in_force(*, unit_ids: Iterable[int], at: datetime) -> dict[int, ShippingRates]:
    """Each unit's version in force at `at` (the latest started by then); units without one are absent."""
    found: dict[int, ShippingRates] = {}
    rows = ShippingRates.objects.filter(unit_id__in=list(unit_ids), effective_from__lte=at).order_by(
        "unit_id", "-effective_from"
    )
    for row in rows:
        found.setdefault(row.unit_id, row)
    return found


def rates_latest(unit: Unit) -> ShippingRates | None:
    """The newest version of the unit's rates (a change is made against it), in force or scheduled."""
    return ShippingRates.objects.filter(unit=unit).order_by("-pk").first()


def rates_history(unit: Unit) -> list[ShippingRates]:
    return list(
        ShippingRates.objects.filter(unit=unit).select_related("created_by").order_by("-effective_from")
    )


def quote_for_order(*, checkout_id: str, method_name: str, total: int, currency: str) -> ShippingQuote | None:
    """The quote an order was charged: of its checkout's, the one of that total named as its method."""
    if not checkout_id:
        return None
    quotes = ShippingQuote.objects.filter(checkout_id=checkout_id, total=total, currency=currency)
    named = [q for q in quotes.order_by("-created_at", "-pk") if q.name == method_name]
    if named:
        return named[0]
    return quotes.order_by("-created_at", "-pk").first()
