"""Per-party statements for a period and the figures behind charts (drill-down: order_lines.py).

All set-based: one statement over every party aggregates the whole ledger in two queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from core.money import minor_format
from payments.models import Account
from payments.selectors import account_balances

# The period's movements by kind; the opening balance (everything before the period) comes from the closed
# periods' closing sums plus the entries since (payments.selectors.account_balances), so a statement costs
# what its period holds, not the ledger's whole history.
_MOVEMENTS = """
SELECT a.party,
       sum(CASE WHEN k.kind = 'payment' THEN -e.amount ELSE 0 END) AS sales_net,
       sum(CASE WHEN k.kind = 'refund' THEN -e.amount ELSE 0 END) AS refunds,
       sum(CASE WHEN k.kind = 'payout' THEN e.amount ELSE 0 END) AS payouts,
       -- Stripe's fee posted after its payment (payment_fee_post): the party's part is a debit
       sum(CASE WHEN k.kind = 'fee' THEN e.amount ELSE 0 END) AS fees_after,
       -- a campaign's release (net of the fee the party bears at release; see _RELEASES for the gross)
       sum(CASE WHEN k.kind = 'release' THEN -e.amount ELSE 0 END) AS released_net,
       -- design call awards (award_post): owed to the designer (+), funded by the unit (-)
       sum(CASE WHEN k.kind = 'award' THEN -e.amount ELSE 0 END) AS awards,
       sum(-e.amount) AS movement
FROM payments_ledgerentry e
JOIN payments_account a ON a.id = e.account_id
JOIN payments_ledgertransaction t ON t.id = e.transaction_id
LEFT JOIN payments_ledgertransaction o ON o.id = t.reverses_id  -- a correction counts as what it reverses
CROSS JOIN LATERAL (SELECT COALESCE(o.kind, t.kind) AS kind) k
WHERE a.kind IN (%(payable)s, %(revenue)s, %(held)s) AND e.currency = %(currency)s
  AND t.posted_at >= %(start)s AND t.posted_at < %(end)s {party_filter}
GROUP BY a.party
"""

_SALES = """
SELECT s.party, sum(s.amount) AS sales,
       -- the platform's funding of discounts (payments.split: discount lines, negative)
       sum(CASE WHEN s.line_kind = 'discount' THEN s.amount ELSE 0 END) AS funded
FROM payments_splitline s JOIN payments_ledgertransaction t ON t.id = s.transaction_id
LEFT JOIN payments_ledgertransaction o ON o.id = t.reverses_id
WHERE COALESCE(o.kind, t.kind) = 'payment' AND t.posted_at >= %(start)s AND t.posted_at < %(end)s
  AND s.currency = %(currency)s {party_filter}
GROUP BY s.party
"""

# What the platform funded of the discounts on each unit's product lines paid in the period (their
# "<line>:discount" split lines, negative, against the line's `unit:` share): the unit's parties were paid
# on the undiscounted price, so the unit's statement says how much of its sales the platform paid for
_FUNDED_ON_UNIT_LINES = """
SELECT p.party, -sum(d.amount)
FROM payments_splitline d JOIN payments_ledgertransaction t ON t.id = d.transaction_id
LEFT JOIN payments_ledgertransaction o ON o.id = t.reverses_id
JOIN payments_splitline p ON p.transaction_id = d.transaction_id AND p.line_kind = 'product'
                         AND p.line_ref = left(d.line_ref, -9) AND p.party LIKE 'unit:%%'
WHERE d.line_kind = 'discount' AND COALESCE(o.kind, t.kind) = 'payment'
  AND t.posted_at >= %(start)s AND t.posted_at < %(end)s AND d.currency = %(currency)s {party_filter}
GROUP BY p.party
"""

# What a campaign's releases gave each party (and took from the campaign's held account), with the fee the
# party bears at release (payments.ledger_services.held_release_post)
_RELEASES = """
SELECT s.party, sum(s.amount), sum(s.fee)
FROM payments_splitline s JOIN payments_ledgertransaction t ON t.id = s.transaction_id
LEFT JOIN payments_ledgertransaction o ON o.id = t.reverses_id
WHERE COALESCE(o.kind, t.kind) = 'release' AND t.posted_at >= %(start)s AND t.posted_at < %(end)s
  AND s.currency = %(currency)s {party_filter}
GROUP BY s.party
"""


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
    params = {
        "start": start,
        "end": end,
        "currency": currency,
        "payable": Account.Kind.PARTY_PAYABLE,
        "revenue": Account.Kind.PLATFORM_REVENUE,
        "held": Account.Kind.CAMPAIGN_HELD,
        "parties": sorted(parties or []),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            _SALES.format(party_filter="AND s.party = ANY(%(parties)s)" if parties is not None else ""),
            params,
        )
        found = cursor.fetchall()
        sales = {party: int(total) for party, total, _ in found}
        funded = {party: int(part) for party, _, part in found}
        cursor.execute(
            _RELEASES.format(party_filter="AND s.party = ANY(%(parties)s)" if parties is not None else ""),
            params,
        )
        releases = {party: (int(gross), int(fee)) for party, gross, fee in cursor.fetchall()}
        cursor.execute(
            _FUNDED_ON_UNIT_LINES.format(
                party_filter="AND p.party = ANY(%(parties)s)" if parties is not None else ""
            ),
            params,
        )
        funded_on_lines = {party: int(total) for party, total in cursor.fetchall()}
        cursor.execute(
            _MOVEMENTS.format(party_filter="AND a.party = ANY(%(parties)s)" if parties is not None else ""),
            params,
        )
        moved = {party: rest for party, *rest in cursor.fetchall()}
    kinds = {Account.Kind.PARTY_PAYABLE, Account.Kind.PLATFORM_REVENUE, Account.Kind.CAMPAIGN_HELD}
    before: dict[str, int] = {}
    for (kind, party, cur), total in account_balances(upto=start, parties=parties).items():
        if kind in kinds and cur == currency:
            before[party] = before.get(party, 0) - total
    out = []
    for party in sorted(before.keys() | moved.keys()):
        opening = before.get(party, 0)
        sales_net, refunds, payouts, fees_after, released_net, awards, movement = moved.get(party, (0,) * 7)
        gross = sales.get(party, 0)
        released, _fee = releases.get(party, (0, 0))
        out.append(
            Statement(
                party=party,
                opening=opening,
                sales=gross,
                fees=gross - int(sales_net) + int(fees_after) + released - int(released_net),
                refunds=int(refunds),
                payouts=int(payouts),
                closing=opening + int(movement),
                platform_funded=funded.get(party, 0),
                released=released,
                awards=int(awards),
                funded_on_lines=funded_on_lines.get(party, 0),
            )
        )
    # a party whose shares netted to nothing has no entries (the platform funding a discount out of its
    # own share): its statement still shows the sales and the funding
    seen = {row.party for row in out}
    out += [
        Statement(party, 0, gross, gross, 0, 0, 0, funded.get(party, 0))
        for party, gross in sorted(sales.items())
        if party not in seen and funded.get(party)
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
