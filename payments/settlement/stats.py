"""Statistics for the culture bureau: sales by unit, unit type and month; counts of units and orders.

Sales by product category and counts of products and buyers need the order projection (orders/),
which the ledger does not hold; they are reported as unavailable until it lands.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from payments.settlement.statements import revenue_by_unit_month
from unit_onboarding.models import Unit


@dataclass
class BureauStats:
    by_unit: dict[str, dict[str, int]] = field(default_factory=dict)  # unit name -> month -> fen
    by_type: dict[str, dict[str, int]] = field(default_factory=dict)  # unit type -> month -> fen
    units_active: int = 0
    units_by_type: dict[str, int] = field(default_factory=dict)
    orders: int = 0
    months: list[str] = field(default_factory=list)


def bureau_stats(*, start: datetime, end: datetime, currency: str) -> BureauStats:
    revenue = revenue_by_unit_month(start=start, end=end, currency=currency)
    units = {f"unit:{u.uid}": u for u in Unit.objects.all()}
    stats = BureauStats()
    by_type: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for party, months in revenue.items():
        unit = units.get(party)
        name = str(unit) if unit else (party or "—")
        stats.by_unit[name] = months
        kind = unit.get_unit_type_display() if unit and unit.unit_type else "—"
        for month, total in months.items():
            by_type[str(kind)][month] += total
    stats.by_type = {k: dict(v) for k, v in by_type.items()}
    stats.months = sorted({m for v in revenue.values() for m in v})
    active = [u for u in units.values() if u.status == Unit.Status.ACTIVE]
    stats.units_active = len(active)
    counts: dict[str, int] = defaultdict(int)
    for unit in active:
        counts[str(unit.get_unit_type_display() if unit.unit_type else "—")] += 1
    stats.units_by_type = dict(counts)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT order_ref) FROM payments_ledgertransaction WHERE kind = 'payment' "
            "AND currency = %s AND posted_at >= %s AND posted_at < %s",
            [currency, start, end],
        )
        stats.orders = cursor.fetchone()[0]
    return stats


def stats_rows(stats: BureauStats) -> list[tuple]:
    """Flat rows (dimension, name, month, sales in fen) for export."""
    rows = [
        ("unit", name, m, v)
        for name, months in sorted(stats.by_unit.items())
        for m, v in sorted(months.items())
    ]
    rows += [
        ("unit_type", k, m, v)
        for k, months in sorted(stats.by_type.items())
        for m, v in sorted(months.items())
    ]
    rows += [("count", "units_active", "", stats.units_active), ("count", "orders", "", stats.orders)]
    rows += [("count", f"units:{k}", "", v) for k, v in sorted(stats.units_by_type.items())]
    return rows
