"""Per-party statements for a period and the figures behind charts (drill-down: order_lines.py).

All set-based: a statement's figures are its closed periods' closing figures plus the open part's lines and
entries aggregated over every party at once (payments.selectors.period_figures).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from core.money import minor_format
from payments.models import Account
from payments.selectors import Figures, account_balances, period_figures


@dataclass(frozen=True)
class Statement:
    """A party's period: opening + sales + released - fees + refunds (negative) + awards - payouts = closing.

    `released`: what crowdfunding campaigns released to the party in the period (its fee at release is in
    `fees`). A campaign's own row (`campaign:<uid>`, its held account) shows what it held as sales, what it
    released as a negative `released`, its refunds, and what it still holds as closing.
    `awards`: design call awards: owed to a designer (+), funded by a unit (-).

    `platform_funded`: the part of sales that is the platform funding discounts (negative, the platform's
    own statement): its units' parties were paid on the undiscounted price.
    `funded_on_lines`: on a unit's statement, what the platform funded of the discounts on the unit's
    product lines sold in the period (positive; the unit's parties' shares were computed on it).
    """

    party: str
    opening: int
    sales: int
    fees: int
    refunds: int
    payouts: int
    closing: int
    platform_funded: int = 0
    released: int = 0
    awards: int = 0  # design call awards: owed to a designer (+), funded by a unit (-)
    funded_on_lines: int = 0


def statements(
    *, start: datetime, end: datetime, currency: str, parties: set[str] | None = None
) -> list[Statement]:
    """Statements of every party (or the given ones) with any ledger activity up to the period's end."""
    # the period's movements by kind: closed periods inside it from their closing figures, the rest from its
    # lines and entries; the opening (everything before the period) from the closed periods' closing sums
    # plus the entries since (payments.selectors.account_balances): a statement costs what the open part of
    # its period holds, not the ledger's whole history
    moved = period_figures(start=start, end=end, currency=currency, parties=parties)
    kinds = {Account.Kind.PARTY_PAYABLE, Account.Kind.PLATFORM_REVENUE, Account.Kind.CAMPAIGN_HELD}
    before: dict[str, int] = {}
    for (kind, party, cur), total in account_balances(upto=start, parties=parties).items():
        if kind in kinds and cur == currency:
            before[party] = before.get(party, 0) - total
    out = []
    zero = Figures()
    for party in sorted(before.keys() | {p for p, f in moved.items() if f.entered}):
        opening = before.get(party, 0)
        f = moved.get(party, zero)
        out.append(
            Statement(
                party=party,
                opening=opening,
                sales=f.sales,
                fees=f.sales - f.sales_net + f.fees_after + f.released - f.released_net,
                refunds=f.refunds,
                payouts=f.payouts,
                closing=opening + f.movement,
                platform_funded=f.platform_funded,
                released=f.released,
                awards=f.awards,
                funded_on_lines=f.funded_on_lines,
            )
        )
    # a party whose shares netted to nothing has no entries (the platform funding a discount out of its
    # own share): its statement still shows the sales and the funding
    seen = {row.party for row in out}
    out += [
        Statement(party, 0, f.sales, f.sales, 0, 0, 0, f.platform_funded)
        for party, f in sorted(moved.items())
        if party not in seen and f.platform_funded
    ]
    return sorted(out, key=lambda row: row.party)


# A line's unit is the `unit:` party in its recipe; its revenue is every party's share of the line.
_REVENUE_BY_UNIT_MONTH = """
SELECT to_char(date_trunc('month', t.posted_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
       COALESCE(l.unit, '') AS unit, sum(l.total)
FROM (
    SELECT s.transaction_id, s.line_ref, sum(s.amount) AS total,
           max(s.party) FILTER (WHERE s.party LIKE 'unit:%%') AS unit
    FROM payments_splitline s
    WHERE s.currency = %(currency)s AND s.line_kind <> 'award'  -- a design call's award is no revenue
    GROUP BY s.transaction_id, s.line_ref
) l JOIN payments_ledgertransaction t ON t.id = l.transaction_id
WHERE t.posted_at >= %(start)s AND t.posted_at < %(end)s {unit_filter}
GROUP BY 1, 2 ORDER BY 1, 2
"""


def revenue_by_unit_month(
    *, start: datetime, end: datetime, currency: str, units: set[str] | None = None
) -> dict[str, dict[str, int]]:
    """unit party -> month (YYYY-MM) -> revenue (sales less refunds) of its order lines."""
    params = {"currency": currency, "start": start, "end": end, "units": sorted(units or [])}
    out: dict[str, dict[str, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(
            _REVENUE_BY_UNIT_MONTH.format(
                unit_filter="AND l.unit = ANY(%(units)s)" if units is not None else ""
            ),
            params,
        )
        for month, unit, total in cursor.fetchall():
            out[unit][month] = int(total)
    return dict(out)


_SHARES = """
SELECT s.party, sum(s.amount)
FROM payments_splitline s JOIN payments_ledgertransaction t ON t.id = s.transaction_id
WHERE s.currency = %(currency)s AND t.posted_at >= %(start)s AND t.posted_at < %(end)s
  AND (%(all)s OR s.party = ANY(%(parties)s)) AND s.line_kind <> 'award'  -- an award is no share of sales
GROUP BY s.party ORDER BY 2 DESC
"""


def shares_by_party(
    *, start: datetime, end: datetime, currency: str, parties: set[str] | None = None
) -> dict[str, int]:
    """Net share (sales less refunds) of each party in the period."""
    params = {
        "currency": currency,
        "start": start,
        "end": end,
        "all": parties is None,
        "parties": sorted(parties or []),
    }
    with connection.cursor() as cursor:
        cursor.execute(_SHARES, params)
        return {party: int(total) for party, total in cursor.fetchall()}


def yuan(fen: int) -> str:
    return minor_format(fen, "CNY", grouping=True)
