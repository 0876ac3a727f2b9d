"""The unit dashboard's figures: each a fixed number of queries, whatever the number of orders or listings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, IntegerField, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from catalog.models import IpLicence, Listing, ListingVariant
from core import clock
from orders.models import Order, OrderLine
from unit_onboarding.models import Unit

# Orders that count as sales (paid or payable, not drafts, not cancelled or expired).
NOT_SALES = ("DRAFT", "UNCONFIRMED", "CANCELED", "EXPIRED")
WAITING_TO_SHIP = ("UNFULFILLED", "PARTIALLY_FULFILLED")
LOW_STOCK = 5
LICENCE_DAYS = 30
SHOWN = 20


@dataclass(frozen=True)
class Sales:
    currency: str
    today: int  # minor units, gross of this unit's lines
    week: int
    month: int


def sales(unit: Unit, today: date | None = None) -> list[Sales]:
    """This unit's line totals (net + tax) of orders placed today, in the last 7 and 30 local days."""
    today = today or clock.today()
    since = {n: clock.day_start(today - timedelta(days=n - 1)) for n in (1, 7, 30)}
    gross = F("total_net") + F("total_tax")

    def window(n: int) -> Coalesce:
        return Coalesce(
            Sum(gross, filter=Q(order__created_in_saleor__gte=since[n]), output_field=IntegerField()), 0
        )

    rows = (
        OrderLine.objects.filter(unit=unit, order__created_in_saleor__gte=since[30])
        .exclude(order__status__in=NOT_SALES)
        .values("order__currency")
        .annotate(today=window(1), week=window(7), month=window(30))
        .order_by("order__currency")
    )
    return [Sales(r["order__currency"], r["today"], r["week"], r["month"]) for r in rows]


def orders_to_ship(unit: Unit) -> QuerySet[Order]:
    """Orders with lines of this unit not shipped yet, oldest first (the first SHOWN)."""
    return (
        Order.objects.filter(
            status__in=WAITING_TO_SHIP, lines__unit=unit, lines__quantity_fulfilled__lt=F("lines__quantity")
        )
        .annotate(placed=Min("created_in_saleor"))
        .order_by(F("placed").asc(nulls_last=True), "pk")[:SHOWN]
    )


def listings_to_act_on(unit: Unit) -> QuerySet[Listing]:
    """Listings waiting for review or whose sync to Saleor failed or diverged."""
    return (
        Listing.objects.filter(unit=unit)
        .filter(
            Q(state=Listing.State.PENDING_REVIEW)
            | Q(sync_status__in=[Listing.Sync.FAILED, Listing.Sync.DIVERGED])
        )
        .order_by("pk")[:SHOWN]
    )


def low_stock(unit: Unit) -> QuerySet[ListingVariant]:
    """Variants of published listings with LOW_STOCK or fewer left, emptiest first."""
    return (
        ListingVariant.objects.filter(
            listing__unit=unit, listing__state=Listing.State.PUBLISHED, stock__lte=LOW_STOCK
        )
        .select_related("listing")
        .order_by("stock", "pk")[:SHOWN]
    )


def licences_expiring(unit: Unit, today: date | None = None) -> QuerySet[IpLicence]:
    """Licences the unit granted that end within LICENCE_DAYS local days (not those already over)."""
    today = today or clock.today()
    return IpLicence.objects.filter(
        licensor=unit, valid_until__gte=today, valid_until__lte=today + timedelta(days=LICENCE_DAYS)
    ).order_by("valid_until", "pk")[:SHOWN]
