"""Statistics for the culture bureau: sales by unit, unit type, category and month; counts of units,
products, buyers and orders.

Sales are the ledger's product lines (every party's share, so the goods' price after discounts, before
tax and shipping), net of refunds, in the month they were posted; each line's unit and category come
from the order projection (its unit, its SKU's listing), so every dimension adds up to the same total.
All set-based: the queries return one row per month, unit and category, never one per order line
(`bench/bureau_stats.py` times them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog.models import Listing
from catalog.taxonomy import CATEGORIES
from core.party import is_unit_uid
from unit_onboarding.models import Unit, UnitType

NONE = "—"

# One row per (month, unit, category): every party's share of the product lines, joined to the projected
# line (its unit, its SKU's listing). A line the projection lacks is still counted, under "—". The
# platform's funding of a line's discount (its "<line>:discount" split line) counts against that line, so
# sales are what buyers paid.
_SALES = """
SELECT to_char(date_trunc('month', t.posted_at AT TIME ZONE %(tz)s), 'YYYY-MM'), ol.unit_id,
       COALESCE(lst.category, ''), sum(s.amount)
FROM payments_splitline s JOIN payments_ledgertransaction t ON t.id = s.transaction_id
LEFT JOIN (orders_orderline ol JOIN orders_order o ON o.id = ol.order_id)
       ON ol.saleor_id = CASE WHEN s.line_kind = 'discount' THEN left(s.line_ref, -9) ELSE s.line_ref END
      AND o.saleor_id = s.order_ref
LEFT JOIN catalog_listingvariant v ON v.sku = ol.sku
LEFT JOIN catalog_listing lst ON lst.id = v.listing_id
WHERE s.currency = %(currency)s AND s.line_kind IN ('product', 'discount')
  AND t.posted_at >= %(start)s AND t.posted_at < %(end)s
GROUP BY 1, 2, 3
"""

# Shipping income per (month, unit): each unit's parcel ("shipping:<unit uid>") as its split lines hold it,
# net of refunds, before tax; an order under the one-price rule ("shipping") counts for the unit its shares
# name. Every party's share, so what the buyers paid for the parcels.
_SHIPPING = """
SELECT to_char(date_trunc('month', t.posted_at AT TIME ZONE %(tz)s), 'YYYY-MM'),
       CASE WHEN s.line_ref LIKE 'shipping:%%' THEN substr(s.line_ref, 10)
            ELSE (SELECT substr(u.party, 6) FROM payments_splitline u
                  WHERE u.transaction_id = s.transaction_id AND u.line_ref = s.line_ref
                    AND u.party LIKE 'unit:%%'
                  ORDER BY u.id LIMIT 1) END,
       sum(s.amount)
FROM payments_splitline s JOIN payments_ledgertransaction t ON t.id = s.transaction_id
WHERE s.currency = %(currency)s AND s.line_kind = 'shipping'
  AND t.posted_at >= %(start)s AND t.posted_at < %(end)s
GROUP BY 1, 2
"""

# Paid orders (one payment transaction per order, a database constraint) and distinct buyers (e-mail,
# case-insensitive) per month of payment, then over the whole period (month NULL).
_ORDERS = """
WITH per AS (
    SELECT to_char(date_trunc('month', t.posted_at AT TIME ZONE %(tz)s), 'YYYY-MM') AS month,
           lower(NULLIF(o.customer_email, '')) AS buyer, count(*) AS orders
    FROM payments_ledgertransaction t LEFT JOIN orders_order o ON o.saleor_id = t.order_ref
    WHERE t.kind = 'payment' AND t.currency = %(currency)s
      AND t.posted_at >= %(start)s AND t.posted_at < %(end)s
    GROUP BY 1, 2
)
SELECT month, sum(orders), count(buyer) FROM per GROUP BY month
UNION ALL
SELECT NULL, COALESCE(sum(orders), 0), count(DISTINCT buyer) FROM per
"""


@dataclass(frozen=True)
class CampaignFigures:
    """One unit's crowdfunding campaigns launched in the period (the campaigns app answers; see below)."""

    unit_id: int
    launched: int
    succeeded: int
    raised: int  # fen the backers paid for the tiers (tax included), refunds to backers who withdrew left out
    backers: int


# Campaigns sit above payments: their app registers the function of (start, end) that gives these figures
# (campaigns.selectors.bureau_campaign_figures, in its AppConfig.ready).
_campaign_figures: list[Callable[[datetime, datetime], list[CampaignFigures]]] = []


def campaign_figures_register(figures_of: Callable[[datetime, datetime], list[CampaignFigures]]) -> None:
    _campaign_figures[:] = [figures_of]


CAMPAIGN_FIGURES = ("launched", "succeeded", "raised", "backers")


@dataclass(frozen=True)
class FestivalFigures:
    """One platform campaign (festival discount) running in the period, all its paid orders (the promotions
    app answers, registered like the crowdfunding campaigns): fen before tax."""

    name: str
    orders: int
    sales: int  # what buyers paid for the lines it reduced
    discount: int
    platform_funded: int


_festival_figures: list[Callable[[datetime, datetime], list[FestivalFigures]]] = []


def festival_figures_register(figures_of: Callable[[datetime, datetime], list[FestivalFigures]]) -> None:
    _festival_figures[:] = [figures_of]


FESTIVAL_FIGURES = ("orders", "sales", "discount", "platform_funded")


@dataclass
class BureauStats:
    start: datetime
    end: datetime
    months: list[str] = field(default_factory=list)
    by_unit: dict[str, dict[str, int]] = field(default_factory=dict)  # unit name -> month -> fen
    by_type: dict[str, dict[str, int]] = field(default_factory=dict)  # unit type -> month -> fen
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)  # category -> month -> fen
    shipping_by_unit: dict[str, dict[str, int]] = field(default_factory=dict)  # unit name -> month -> fen
    total: dict[str, int] = field(default_factory=dict)  # month -> fen
    orders: int = 0
    orders_by_month: dict[str, int] = field(default_factory=dict)
    buyers: int = 0
    buyers_by_month: dict[str, int] = field(default_factory=dict)
    units_active: int = 0
    units_by_type: dict[str, int] = field(default_factory=dict)
    products: int = 0  # published listings, now
    products_by_category: dict[str, int] = field(default_factory=dict)
    # campaigns launched in the period: unit name (or unit type) -> launched, succeeded, raised, backers
    campaigns_by_unit: dict[str, dict[str, int]] = field(default_factory=dict)
    campaigns_by_type: dict[str, dict[str, int]] = field(default_factory=dict)
    campaigns_total: dict[str, int] = field(default_factory=dict)
    festivals: list[FestivalFigures] = field(default_factory=list)  # platform campaigns running in it

    @property
    def shipping_total(self) -> dict[str, int]:
        """Month -> fen of every unit's shipping income."""
        total: dict[str, int] = defaultdict(int)
        for months in self.shipping_by_unit.values():
            for month, fen in months.items():
                total[month] += fen
        return dict(total)

    @property
    def sales(self) -> int:
        return sum(self.total.values())


def category_name(slug: str) -> str:
    names = CATEGORIES.get(slug)
    if not names:
        return slug or NONE
    return names[0] if (get_language() or "").startswith("zh") else names[1]


def type_name(code: str) -> str:
    return str(UnitType(code).label) if code in UnitType.values else NONE


def _add(table: dict[str, dict[str, int]], key: str, month: str, fen: int) -> None:
    table.setdefault(key, {})
    table[key][month] = table[key].get(month, 0) + fen


def bureau_stats(*, start: datetime, end: datetime, currency: str) -> BureauStats:
    stats = BureauStats(start=start, end=end)
    params = {"currency": currency, "start": start, "end": end, "tz": settings.TIME_ZONE}  # local months
    with connection.cursor() as cursor:
        cursor.execute(_SALES, params)
        sales = cursor.fetchall()
        cursor.execute(_ORDERS, params)
        orders = cursor.fetchall()
        cursor.execute(_SHIPPING, params)
        shipping = cursor.fetchall()
    units = {u.pk: u for u in Unit.objects.filter(pk__in={row[1] for row in sales if row[1]})}
    for month, unit_id, category, fen in sales:
        fen, unit = int(fen), units.get(unit_id)
        _add(stats.by_unit, str(unit) if unit else NONE, month, fen)
        _add(stats.by_type, type_name(unit.unit_type) if unit else NONE, month, fen)
        _add(stats.by_category, category_name(category), month, fen)
        stats.total[month] = stats.total.get(month, 0) + fen
    uids = {row[1] for row in shipping if row[1] and is_unit_uid(row[1])}
    by_uid = {str(u.uid): u for u in Unit.objects.filter(uid__in=uids)}
    for month, uid, fen in shipping:
        unit = by_uid.get(uid or "")
        _add(stats.shipping_by_unit, str(unit) if unit else NONE, month, int(fen))
    for month, count, buyers in orders:
        if month is None:  # the whole period
            stats.orders, stats.buyers = int(count), buyers
        else:
            stats.orders_by_month[month], stats.buyers_by_month[month] = int(count), buyers
    stats.months = sorted(set(stats.total) | set(stats.orders_by_month))

    active = Unit.objects.filter(status=Unit.Status.ACTIVE).values("unit_type").annotate(n=Count("pk"))
    stats.units_by_type = {type_name(row["unit_type"]): row["n"] for row in active.order_by("unit_type")}
    stats.units_active = sum(stats.units_by_type.values())
    published = (
        Listing.objects.filter(state=Listing.State.PUBLISHED).values("category").annotate(n=Count("pk"))
    )
    by_category: dict[str, int] = defaultdict(int)
    for row in published.order_by("category"):
        by_category[category_name(row["category"])] += row["n"]
    stats.products_by_category = dict(by_category)
    stats.products = sum(by_category.values())
    _campaigns(stats)
    stats.festivals = [row for figures_of in _festival_figures for row in figures_of(stats.start, stats.end)]
    return stats


def _campaigns(stats: BureauStats) -> None:
    rows = [row for figures_of in _campaign_figures for row in figures_of(stats.start, stats.end)]
    units = {u.pk: u for u in Unit.objects.filter(pk__in={row.unit_id for row in rows})}
    stats.campaigns_total = dict.fromkeys(CAMPAIGN_FIGURES, 0)
    for row in rows:
        unit = units.get(row.unit_id)
        for table, key in (
            (stats.campaigns_by_unit, str(unit) if unit else NONE),
            (stats.campaigns_by_type, type_name(unit.unit_type) if unit else NONE),
        ):
            figures = table.setdefault(key, dict.fromkeys(CAMPAIGN_FIGURES, 0))
            for name in CAMPAIGN_FIGURES:
                figures[name] += getattr(row, name)
        for name in CAMPAIGN_FIGURES:
            stats.campaigns_total[name] += getattr(row, name)


STATS_HEADER = ("figure", "name", "period", "value")


def stats_rows(stats: BureauStats) -> list[tuple]:
    """Flat rows for export: sales in fen per dimension and month, then counts over the whole period."""
    whole = f"{stats.start:%Y-%m-%d}..{stats.end:%Y-%m-%d}"
    rows: list[tuple] = []
    for figure, table in (
        ("sales_fen_by_unit", stats.by_unit),
        ("sales_fen_by_unit_type", stats.by_type),
        ("sales_fen_by_category", stats.by_category),
        ("shipping_fen_by_unit", stats.shipping_by_unit),
    ):
        rows += [
            (figure, name, m, v) for name, months in sorted(table.items()) for m, v in sorted(months.items())
        ]
    rows += [("sales_fen", _("Total"), m, v) for m, v in sorted(stats.total.items())]
    rows += [("sales_fen", _("Total"), whole, stats.sales)]
    rows += [("paid_orders", "", m, v) for m, v in sorted(stats.orders_by_month.items())]
    rows += [("paid_orders", "", whole, stats.orders)]
    rows += [("buyers", "", m, v) for m, v in sorted(stats.buyers_by_month.items())]
    rows += [("buyers", "", whole, stats.buyers)]
    rows += [("active_units", k, "", v) for k, v in sorted(stats.units_by_type.items())]
    rows += [("active_units", _("Total"), "", stats.units_active)]
    rows += [("published_products", k, "", v) for k, v in sorted(stats.products_by_category.items())]
    rows += [("published_products", _("Total"), "", stats.products)]
    for dimension, table in (("unit", stats.campaigns_by_unit), ("unit_type", stats.campaigns_by_type)):
        rows += [
            (f"campaigns_{figure}_by_{dimension}", name, whole, figures[figure])
            for name, figures in sorted(table.items())
            for figure in CAMPAIGN_FIGURES
        ]
    rows += [(f"campaigns_{f}", _("Total"), whole, stats.campaigns_total.get(f, 0)) for f in CAMPAIGN_FIGURES]
    rows += [
        (f"platform_campaign_{figure}", row.name, whole, getattr(row, figure))
        for row in stats.festivals
        for figure in FESTIVAL_FIGURES
    ]
    return rows
