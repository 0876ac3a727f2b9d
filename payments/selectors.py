"""Reads of the ledger: balances are sums of entries, never stored counters.

A closed period's entries are summed once, when it closes (payments_closedperiodbalance, checked against
them by PostgreSQL at the close and by `closed_balances_mismatched`), and nothing is posted into it after;
so a balance is those sums plus the entries dated outside closed periods, read by ranges of posted_at.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from django.db import connection, transaction

from payments.models import Account, SplitLine

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
_BALANCES = """
SELECT a.kind, a.party, m.currency, sum(m.amount)
FROM (
    SELECT b.account_id, b.currency, b.amount FROM payments_closedperiodbalance b
    WHERE b.period_id = ANY(%(closed)s)
    UNION ALL
    SELECT e.account_id, e.currency, e.amount
    FROM payments_ledgertransaction t JOIN payments_ledgerentry e ON e.transaction_id = t.id
    WHERE ({open_ranges})
) m JOIN payments_account a ON a.id = m.account_id
{party_filter}
GROUP BY a.kind, a.party, m.currency
"""

_BALANCES_FROM_ENTRIES = """
SELECT a.kind, a.party, e.currency, sum(e.amount)
FROM payments_ledgerentry e JOIN payments_account a ON a.id = e.account_id
GROUP BY a.kind, a.party, e.currency
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
        party_filter="WHERE a.party = ANY(%(parties)s)" if parties is not None else "",
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
