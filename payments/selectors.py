"""Reads of the ledger: balances are sums of entries, never stored counters.

A closed period's entries are summed once, when it closes (payments_closedperiodbalance, checked against
them by PostgreSQL at the close and by `closed_balances_mismatched`), and nothing is posted into it after;
so a balance is those sums plus the entries dated outside closed periods, read by ranges of posted_at.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import datetime

from django.db import connection, transaction

from payments.models import Account, ClosedPeriodStatement, SplitLine

_CLOSED = """
SELECT id, start, "end" FROM payments_accountingperiod
WHERE status = 'closed' AND (%(upto)s::timestamptz IS NULL OR "end" <= %(upto)s) ORDER BY start
"""

# The closing sums of the closed periods read first (their ids), plus the entries dated in the gaps between
# them (closed periods never overlap: a trigger refuses closing one that would), before the first and
# after the last (up to a cutoff), given as constant ranges so the planner reads them through the posted_at
# index. A period closing between the two statements is not in the ids: its entries are summed instead
# (nothing is posted into it once closed, and the close waits for postings under way), so it is counted
# once either way; so is a closed period the cutoff falls inside (its entries before the cutoff).
# Both sum per account id first (a hash aggregate over a few hundred integer keys), and only then join the
# few hundred sums to their accounts: grouping every entry by the account's text keys sorted all the rows,
# on disk past work_mem (0.43 against 0.12 s over 465,000 open entries in bench/ledger.py).
_BALANCES = """
SELECT a.kind, a.party, m.currency, sum(m.amount)
FROM (
    SELECT u.account_id, u.currency, sum(u.amount) AS amount
    FROM (
        SELECT b.account_id, b.currency, b.amount FROM payments_closedperiodbalance b
        WHERE b.period_id = ANY(%(closed)s)
        UNION ALL
        SELECT e.account_id, e.currency, e.amount
        FROM payments_ledgertransaction t JOIN payments_ledgerentry e ON e.transaction_id = t.id
        WHERE ({open_ranges})
    ) u
    {party_filter}
    GROUP BY u.account_id, u.currency
) m JOIN payments_account a ON a.id = m.account_id
GROUP BY a.kind, a.party, m.currency
"""

_BALANCES_FROM_ENTRIES = """
SELECT a.kind, a.party, m.currency, sum(m.amount)
FROM (
    SELECT account_id, currency, sum(amount) AS amount FROM payments_ledgerentry GROUP BY account_id, currency
) m JOIN payments_account a ON a.id = m.account_id
GROUP BY a.kind, a.party, m.currency
"""


def _balances(sql: str, params: dict) -> dict[tuple[str, str, str], int]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # compiling these aggregates costs more than it saves
        cursor.execute(sql, params)
        return {(kind, party, currency): int(total) for kind, party, currency, total in cursor.fetchall()}


def account_balances(
    *, upto: datetime | None = None, parties: Collection[str] | None = None
) -> dict[tuple[str, str, str], int]:
    """(kind, party, currency) -> debits minus credits, over every entry ever posted (or dated before
    `upto`), of every account (or of the given parties'): closed periods by their closing sums."""
    with connection.cursor() as cursor:
        cursor.execute(_CLOSED, {"upto": upto})
        closed = cursor.fetchall()
    if not closed and upto is None and parties is None:
        return _balances(_BALANCES_FROM_ENTRIES, {})
    ranges, params = [], {"closed": [pk for pk, _, _ in closed], "parties": sorted(parties or [])}
    lo = None  # the open range starts here (None: from the beginning)
    for n, (_pk, start, end) in enumerate(closed):
        if lo is None:
            ranges.append(f"t.posted_at < %(hi{n})s")
        elif lo < start:
            ranges.append(f"(t.posted_at >= %(lo{n})s AND t.posted_at < %(hi{n})s)")
        params[f"lo{n}"], params[f"hi{n}"] = lo, start
        lo = end if lo is None else max(lo, end)
    params["lo"], params["upto"] = lo, upto
    if lo is not None and upto is not None:
        ranges.append("(t.posted_at >= %(lo)s AND t.posted_at < %(upto)s)")
    elif lo is not None:
        ranges.append("t.posted_at >= %(lo)s")
    elif upto is not None:
        ranges.append("t.posted_at < %(upto)s")
    else:
        ranges.append("true")
    sql = _BALANCES.format(
        open_ranges=" OR ".join(ranges),
        party_filter=(
            "WHERE u.account_id IN (SELECT id FROM payments_account WHERE party = ANY(%(parties)s))"
            if parties is not None
            else ""
        ),
    )
    return _balances(sql, params)


def account_balances_from_entries() -> dict[tuple[str, str, str], int]:
    """The same balances summed from every entry one by one: the audit's and the tests' reference."""
    return _balances(_BALANCES_FROM_ENTRIES, {})


_CLOSED_MISMATCHED = """
SELECT p.id, x.account_id, x.currency, x.entries, x.stored
FROM payments_accountingperiod p
CROSS JOIN LATERAL (
    SELECT COALESCE(m.account_id, b.account_id) AS account_id, COALESCE(m.currency, b.currency) AS currency,
           m.amount AS entries, b.amount AS stored
    FROM payments_period_movements(p.id) m
    FULL OUTER JOIN (SELECT * FROM payments_closedperiodbalance WHERE period_id = p.id) b
        ON b.account_id = m.account_id AND b.currency = m.currency
    WHERE m.amount IS DISTINCT FROM b.amount
) x
WHERE p.status = 'closed'
ORDER BY p.id, x.account_id, x.currency
"""


def closed_balances_mismatched() -> list[tuple[int, int, str, int | None, int | None]]:
    """Audit: (period, account, currency, sum of its entries, closing sum stored) wherever a closed
    period's closing sums differ from its entries, or an account is missing or extra (always empty)."""
    with connection.cursor() as cursor:
        cursor.execute(_CLOSED_MISMATCHED)
        return [
            (period, account, cur, None if moved is None else int(moved), None if kept is None else int(kept))
            for period, account, cur, moved, kept in cursor.fetchall()
        ]


# A statement's figures of a party over [start, end) (payments.settlement.statements): its movements by kind
# from the entries, its sales, releases and discount funding from its split lines.
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

# (a split line is dated as its transaction: the party's lines of the period are a range of one index)
_SALES = """
SELECT s.party, sum(s.amount) AS sales,
       -- the platform's funding of discounts (payments.split: discount lines, negative)
       sum(CASE WHEN s.line_kind = 'discount' THEN s.amount ELSE 0 END) AS funded
FROM payments_splitline s JOIN payments_ledgertransaction t ON t.id = s.transaction_id
LEFT JOIN payments_ledgertransaction o ON o.id = t.reverses_id
WHERE COALESCE(o.kind, t.kind) = 'payment' AND s.posted_at >= %(start)s AND s.posted_at < %(end)s
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
  AND d.posted_at >= %(start)s AND d.posted_at < %(end)s AND d.currency = %(currency)s {party_filter}
GROUP BY p.party
"""

# What a campaign's releases gave each party (and took from the campaign's held account), gross of the fee
# the party bears at release (payments.ledger_services.held_release_post)
_RELEASES = """
SELECT s.party, sum(s.amount)
FROM payments_splitline s JOIN payments_ledgertransaction t ON t.id = s.transaction_id
LEFT JOIN payments_ledgertransaction o ON o.id = t.reverses_id
WHERE COALESCE(o.kind, t.kind) = 'release' AND s.posted_at >= %(start)s AND s.posted_at < %(end)s
  AND s.currency = %(currency)s {party_filter}
GROUP BY s.party
"""


@dataclass(frozen=True)
class Figures:
    """A party's statement figures over a span (see payments.settlement.statements.Statement)."""

    sales: int = 0  # gross shares of payments
    platform_funded: int = 0  # the part of `sales` that is discount funding (negative)
    released: int = 0  # campaign releases, gross
    funded_on_lines: int = 0  # discounts the platform funded on a unit's product lines
    sales_net: int = 0  # the movements by kind, from the entries:
    refunds: int = 0
    payouts: int = 0
    fees_after: int = 0
    released_net: int = 0
    awards: int = 0
    movement: int = 0  # every entry: the closing is the opening plus this
    entered: bool = False  # the party has entries in the span (not only split lines)

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)[:-1]),
                       entered=self.entered or other.entered)  # fmt: skip


FIGURES = tuple(f.name for f in fields(Figures))


def _figures_from_ledger(
    *, start: datetime, end: datetime, currency: str, parties: Collection[str] | None
) -> dict[str, Figures]:
    """Figures of every party (or the given ones) over [start, end) from its split lines and entries."""
    params = {
        "start": start,
        "end": end,
        "currency": currency,
        "payable": Account.Kind.PARTY_PAYABLE,
        "revenue": Account.Kind.PLATFORM_REVENUE,
        "held": Account.Kind.CAMPAIGN_HELD,
        "parties": sorted(parties or []),
    }
    found: dict[str, dict] = defaultdict(dict)
    with connection.cursor() as cursor:
        for sql, alias in ((_SALES, "s"), (_RELEASES, "s"), (_FUNDED_ON_UNIT_LINES, "p"), (_MOVEMENTS, "a")):
            party_filter = f"AND {alias}.party = ANY(%(parties)s)" if parties is not None else ""
            cursor.execute(sql.format(party_filter=party_filter), params)
            for party, *values in cursor.fetchall():
                values = [int(v) for v in values]
                if sql is _SALES:
                    found[party].update(sales=values[0], platform_funded=values[1])
                elif sql is _RELEASES:
                    found[party]["released"] = values[0]
                elif sql is _FUNDED_ON_UNIT_LINES:
                    found[party]["funded_on_lines"] = values[0]
                else:
                    names = (
                        "sales_net",
                        "refunds",
                        "payouts",
                        "fees_after",
                        "released_net",
                        "awards",
                        "movement",
                    )
                    found[party].update(zip(names, values, strict=True), entered=True)
    return {party: Figures(**values) for party, values in found.items()}


_CLOSED_INSIDE = """
SELECT id, start, "end" FROM payments_accountingperiod
WHERE status = 'closed' AND start >= %(start)s AND "end" <= %(end)s ORDER BY start
"""


def period_figures(
    *, start: datetime, end: datetime, currency: str, parties: Collection[str] | None = None
) -> dict[str, Figures]:
    """party -> its statement figures over [start, end): the closed periods inside it by the figures kept
    when they closed (payments_closedperiodstatement), the rest from the split lines and entries dated in
    it, like balances (`account_balances`)."""
    with connection.cursor() as cursor:
        cursor.execute(_CLOSED_INSIDE, {"start": start, "end": end})
        closed = cursor.fetchall()
    out: dict[str, Figures] = {}
    rows = ClosedPeriodStatement.objects.filter(period_id__in=[pk for pk, _, _ in closed], currency=currency)
    if parties is not None:
        rows = rows.filter(party__in=sorted(parties))
    for row in rows.values_list("party", *FIGURES):
        out[row[0]] = out.get(row[0], Figures()) + Figures(*row[1:])
    gaps, lo = [], start  # the parts of [start, end) in no closed period (closed periods never overlap)
    for _pk, p_start, p_end in closed:
        if lo < p_start:
            gaps.append((lo, p_start))
        lo = max(lo, p_end)
    if lo < end:
        gaps.append((lo, end))
    for g_start, g_end in gaps:
        for party, figures in _figures_from_ledger(
            start=g_start, end=g_end, currency=currency, parties=parties
        ).items():
            out[party] = out.get(party, Figures()) + figures
    return out


_STATEMENTS_MISMATCHED = """
SELECT p.id, p.start, p."end" FROM payments_accountingperiod p WHERE p.status = 'closed' ORDER BY p.start
"""


def closed_statements_mismatched() -> list[tuple[int, str, str, Figures | None, Figures | None]]:
    """Audit: (period, party, currency, figures from its lines and entries, figures kept at the close)
    wherever a closed period's statement figures differ from its lines and entries (always empty)."""
    out = []
    with connection.cursor() as cursor:
        cursor.execute(_STATEMENTS_MISMATCHED)
        periods = cursor.fetchall()
    for pk, start, end in periods:
        kept: dict[tuple[str, str], Figures] = {
            (row[0], row[1]): Figures(*row[2:])
            for row in ClosedPeriodStatement.objects.filter(period_id=pk).values_list(
                "party", "currency", *FIGURES
            )
        }
        for currency in sorted({cur for _, cur in kept} | _period_currencies(start, end)):
            computed = _figures_from_ledger(start=start, end=end, currency=currency, parties=None)
            for party in sorted(computed.keys() | {p for p, cur in kept if cur == currency}):
                if computed.get(party) != kept.get((party, currency)):
                    out.append((pk, party, currency, computed.get(party), kept.get((party, currency))))
    return out


def _period_currencies(start: datetime, end: datetime) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT currency FROM payments_ledgertransaction "
            "WHERE posted_at >= %s AND posted_at < %s",
            [start, end],
        )
        return {cur for (cur,) in cursor.fetchall()}


def period_statement_figures_keep(*, period_id: int, start: datetime, end: datetime) -> None:
    """Write a closing period's statement figures, per currency and party (inside the closing transaction,
    postings paused: see payments.reconciliation.services.period_books_close)."""
    rows = [
        ClosedPeriodStatement(period_id=period_id, party=party, currency=currency, **vars(figures))
        for currency in sorted(_period_currencies(start, end))
        for party, figures in sorted(
            _figures_from_ledger(start=start, end=end, currency=currency, parties=None).items()
        )
    ]
    ClosedPeriodStatement.objects.bulk_create(rows, batch_size=2_000)


def party_owed(*, currency: str) -> dict[str, int]:
    """What the platform owes each party (payables and platform revenue), positive = owed to the party."""
    owed: dict[str, int] = defaultdict(int)
    party_kinds = {Account.Kind.PARTY_PAYABLE, Account.Kind.PLATFORM_REVENUE}
    for (kind, party, cur), total in account_balances().items():
        if cur == currency and kind in party_kinds and total:
            owed[party] -= total
    return dict(owed)


_UNBALANCED = """
SELECT transaction_id, currency, sum(amount) FROM payments_ledgerentry
GROUP BY transaction_id, currency HAVING sum(amount) <> 0
"""


def transactions_unbalanced() -> list[tuple[int, str, int]]:
    """Audit: (transaction, currency, imbalance) for any transaction that does not balance (always empty)."""
    with connection.cursor() as cursor:
        cursor.execute(_UNBALANCED)
        return [(txn, cur, int(total)) for txn, cur, total in cursor.fetchall()]


_LINE_NETS = """
SELECT line_ref, position, party, sum(amount), sum(fee) FROM payments_splitline
WHERE order_ref = %s GROUP BY line_ref, position, party ORDER BY line_ref, position
"""


def order_line_nets(*, order_ref: str) -> dict[str, list[tuple[str, int, int]]]:
    """line ref -> [(party, net share, fee borne)] in recipe order: captured minus refunded, per party."""
    out: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_LINE_NETS, [order_ref])
        for line_ref, _pos, party, amount, fee in cursor.fetchall():
            out[line_ref].append((party, int(amount), int(fee)))
    return dict(out)


def held_line(*, order_ref: str, line_ref: str, holder: str) -> tuple[int, int]:
    """(net, held) of a held line: what is left on it after refunds, and how much of that its holder still
    holds (the rest is with the parties it was released to)."""
    net = held = 0
    for party, amount in SplitLine.objects.filter(order_ref=order_ref, line_ref=line_ref).values_list(
        "party", "amount"
    ):
        net += amount
        if party == holder:
            held += amount
    return net, held
