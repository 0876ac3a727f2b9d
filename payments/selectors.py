"""Reads of the ledger: balances are always sums of entries, never stored counters."""

from __future__ import annotations

from collections import defaultdict

from django.db import connection

from payments.models import Account, SplitLine

_BALANCES = """
SELECT a.kind, a.party, e.currency, sum(e.amount)
FROM payments_ledgerentry e JOIN payments_account a ON a.id = e.account_id
GROUP BY a.kind, a.party, e.currency
"""


def account_balances() -> dict[tuple[str, str, str], int]:
    """(kind, party, currency) -> debits minus credits, over every entry ever posted."""
    with connection.cursor() as cursor:
        cursor.execute(_BALANCES)
        return {(kind, party, currency): int(total) for kind, party, currency, total in cursor.fetchall()}


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
