"""Reconciliation: import Stripe balance transactions, match them to the ledger, close periods.

Matching is per order and per settlement batch, set-based in PostgreSQL (a million balance
transactions aggregate in one statement):
  charge   Stripe's gross and fee per order  = the payment postings' clearing debit and fee credit
  refund   Stripe's refunds per order        = the refund postings' credit to the refunds account
  transfer Stripe's transfers per batch      = the batch's payout posting (Stripe batches)
  payout   Stripe paying the platform's bank: no ledger counterpart, listed as matched
Everything else Stripe reports, and any posting Stripe does not know, is listed with what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction

from core import clock
from core.audit import audit_record
from core.stripe_client import stripe_client
from payments.error_codes import SettlementError, SettlementErrorCode
from payments.models import (
    AccountingPeriod,
    OrderPaymentReference,
    ReconciliationExplanation,
)
from payments.selectors import period_statement_figures_keep

KNOWN_TYPES = ("charge", "payment", "refund", "payment_refund", "transfer", "payout")


@dataclass(frozen=True)
class Item:
    """One line of a reconciliation: what Stripe says, what the ledger says, and what to do."""

    key: str
    kind: str
    ref: str
    stripe: int
    ledger: int
    status: str  # matched | explained | open
    action: str = ""
    note: str = ""

    @property
    def difference(self) -> int:
        return self.stripe - self.ledger


_TYPES = {"payment": "charge", "payment_refund": "refund"}


def _created(created: Any) -> datetime:
    """Aware, as COPY's binary timestamptz needs: without an offset it is UTC (the session's zone)."""
    if isinstance(created, datetime):
        return created if created.tzinfo else created.replace(tzinfo=UTC)
    if isinstance(created, int | float | str) and str(created).isdigit():
        return datetime.fromtimestamp(int(created), tz=UTC)
    if isinstance(created, str):
        parsed = datetime.fromisoformat(created)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise TypeError(f"created: {created!r}")


def _row(raw: Mapping[str, Any]) -> tuple:
    """One balance transaction as the columns of _COLUMNS (no model instance: a million are imported)."""
    amount, fee, net = int(raw["amount"]), int(raw.get("fee") or 0), raw.get("net")
    return (
        raw["id"],
        _TYPES.get(raw["type"], raw["type"]),
        raw.get("source") or "",
        raw.get("order_ref") or "",
        amount,
        fee,
        int(net) if net not in (None, "") else amount - fee,
        str(raw["currency"]).upper(),
        _created(raw["created"]),
    )


def balance_transactions_import(
    *, rows: Iterable[Mapping[str, Any]], actor=None, chunk: int = 100_000
) -> int:
    """Store balance transactions once each (by Stripe id); returns how many were new.

    Each chunk commits on its own, and the next one is read while PostgreSQL inserts it (the two took about
    as long); a row that cannot be read stops the import once the chunks before it are stored."""
    batches = _batches(rows, chunk)
    new, failure = 0, None
    batch = next(batches, [])  # unreadable already: nothing stored, raised as it is
    while batch:
        stored, batch, failure = _store(batch, following=batches)
        new += stored
    if failure is not None:
        raise failure
    audit_record(actor=actor, action="reconciliation.imported", subject="stripe:balance", new=new)
    return new


def _batches(rows: Iterable[Mapping[str, Any]], chunk: int) -> Iterator[list[tuple]]:
    """The rows as lists of at most `chunk` tuples of _COLUMNS; an unreadable row raises SettlementError."""
    batch: list[tuple] = []
    try:
        for raw in rows:
            batch.append(_row(raw))
            if len(batch) >= chunk:
                yield batch
                batch = []
    except (KeyError, ValueError, TypeError) as exc:
        raise SettlementError(
            SettlementErrorCode.BAD_IMPORT, f"unreadable balance transaction: {exc}"
        ) from exc
    if batch:
        yield batch


_COLUMNS = ("stripe_id", "type", "source", "order_ref", "amount", "fee", "net", "currency", "created")
_COPY_TYPES = ("text", "text", "text", "text", "int8", "int8", "int8", "text", "timestamptz")


def _store(
    batch: list[tuple], *, following: Iterator[list[tuple]]
) -> tuple[int, list[tuple], SettlementError | None]:
    """COPY into a scratch table, then insert what is new, duplicates skipped; the next chunk is read from
    `following` while the INSERT runs. Returns how many were new, that chunk ([] at the end) and the error
    reading it raised (this chunk commits anyway)."""
    after: list[tuple] = []
    failure = None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS btx_incoming AS "  # noqa: S608 - fixed column names
            f"SELECT {', '.join(_COLUMNS)} FROM payments_stripebalancetransaction WITH NO DATA"
        )
        cursor.execute("TRUNCATE btx_incoming")
        # binary: no text formatting of each integer and timestamp (2.5 of 5 s on a million rows)
        with cursor.copy(f"COPY btx_incoming ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_COPY_TYPES)
            for row in batch:
                copy.write_row(row)
        # What is new, once (the first of an id the chunk repeats), by a plain INSERT in stripe_id order (the
        # unique index filled page by page): ON CONFLICT DO NOTHING checked and confirmed every row again (6
        # of 11 s on a million). Each id is probed in the unique index (LIMIT 1 keeps it a probe; an anti-join
        # would hash the whole table for every chunk). No other import can insert between the probe and the
        # insert: the lock conflicts with itself, reads go on.
        cursor.execute("LOCK TABLE payments_stripebalancetransaction IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SET LOCAL work_mem = '32MB'")  # the chunk's sort, in memory
        cursor.execute("SET LOCAL jit = off")
        # pipeline mode: the INSERT is sent and its result read at the block's end, so the next chunk's
        # parsing (as long as the INSERT on a million rows) runs while PostgreSQL works
        with connection.wrap_database_errors, connection.connection.pipeline():
            cursor.execute(
                f"INSERT INTO payments_stripebalancetransaction ({', '.join(_COLUMNS)}, imported_at) "  # noqa: S608 - fixed names
                f"SELECT DISTINCT ON (i.stripe_id) {', '.join(f'i.{c}' for c in _COLUMNS)}, now() "
                "FROM btx_incoming i LEFT JOIN LATERAL ("
                "    SELECT true AS stored FROM payments_stripebalancetransaction b "
                "    WHERE b.stripe_id = i.stripe_id LIMIT 1"
                ") d ON true WHERE d.stored IS NULL ORDER BY i.stripe_id, i.ctid"
            )
            try:
                after = next(following, [])
            except SettlementError as exc:
                failure = exc
        return cursor.rowcount, after, failure


def balance_transactions_fetch() -> list[dict[str, Any]]:
    """Every balance transaction of the Stripe account, with the order it belongs to (see _order_of)."""
    client = stripe_client()
    rows, cache = [], {}
    for txn in client.v1.balance_transactions.list(params={"limit": 100}).auto_paging_iter():
        raw = txn.to_dict()
        raw["order_ref"] = _order_of(client, raw.get("source") or "", cache)
        rows.append(raw)
    return rows


def _order_of(client, source: str, cache: dict[str, str]) -> str:
    """The order a charge or refund belongs to, as the ledger names it.

    The order whose payment used the charge's PaymentIntent (linked when the order was posted), else
    metadata order_ref, else the Saleor source id (a checkout's id when no order was posted for it).
    """
    if source in cache:
        return cache[source]
    order = ""
    if source.startswith("re_"):
        order = _order_of(client, client.v1.refunds.retrieve(source).to_dict().get("charge") or "", cache)
    elif source.startswith(("ch_", "py_")):
        charge = client.v1.charges.retrieve(source).to_dict()
        pi = charge.get("payment_intent")
        pi_id = pi.get("id") if isinstance(pi, dict) else pi
        linked = (
            OrderPaymentReference.objects.filter(psp_reference=pi_id)
            .values_list("order_ref", flat=True)
            .first()
            if pi_id
            else None
        )
        meta = {"order_ref": linked} if linked else charge.get("metadata") or {}
        if not meta and pi_id:
            meta = client.v1.payment_intents.retrieve(pi_id).to_dict().get("metadata") or {}
        order = meta.get("order_ref") or meta.get("saleor_source_id") or ""
    cache[source] = order
    return order


_MATCH = """
WITH txn AS MATERIALIZED (  -- the period's postings, read once (then hashed, not probed one by one)
    SELECT t.id, t.order_ref,
           -- a reversal counts as the kind it reverses (its entries are negated)
           CASE WHEN t.reverses_id IS NULL THEN t.kind
                ELSE (SELECT o.kind FROM payments_ledgertransaction o WHERE o.id = t.reverses_id) END AS kind
    FROM payments_ledgertransaction t
    WHERE t.posted_at >= %(start)s AND t.posted_at < %(end)s
      -- the same kinds, written so that the planner can estimate them (nearly none is a reversal)
      AND (t.reverses_id IS NULL AND t.kind IN ('payment', 'refund', 'payout', 'fee')
           OR t.reverses_id IS NOT NULL
              AND (SELECT o.kind FROM payments_ledgertransaction o WHERE o.id = t.reverses_id)
                  IN ('payment', 'refund', 'payout', 'fee'))
),
ledger AS (
    SELECT t.order_ref AS ref,
           payments_exact_sum(CASE WHEN t.kind = 'payment' AND e.account_id = ANY(%(clearing)s)
                                        AND e.amount > 0 THEN e.amount ELSE 0 END) AS gross,
           payments_exact_sum(CASE WHEN t.kind = 'payment' AND e.account_id = ANY(%(clearing)s)
                                        AND e.amount < 0 THEN -e.amount
                                   WHEN t.kind = 'fee' AND e.account_id = ANY(%(clearing)s) THEN -e.amount
                                   ELSE 0 END) AS fee,
           payments_exact_sum(CASE WHEN t.kind = 'refund' AND e.account_id = ANY(%(refunds)s) THEN -e.amount
                                   ELSE 0 END) AS refunded,
           payments_exact_sum(CASE WHEN t.kind = 'payout' AND e.account_id = ANY(%(clearing)s) THEN -e.amount
                                   ELSE 0 END) AS transferred
    FROM txn t
    JOIN payments_ledgerentry e ON e.transaction_id = t.id
    -- only the accounts Stripe's figures are compared with (a third of the entries)
    WHERE e.currency = %(currency)s AND e.account_id = ANY(%(accounts)s)
    GROUP BY t.order_ref
),
transfer_batch AS (
    SELECT st.stripe_transfer_id AS source, 'settlement:' || st.batch_id AS ref
    FROM payments_settlementtransfer st WHERE st.stripe_transfer_id <> ''
),
stripe AS (
    SELECT CASE WHEN b.type = 'transfer' THEN COALESCE(tb.ref, 'transfer:' || b.source) ELSE b.order_ref END
               AS ref,
           payments_exact_sum(CASE WHEN b.type = 'charge' THEN b.amount ELSE 0 END) AS gross,
           payments_exact_sum(CASE WHEN b.type = 'charge' THEN b.fee ELSE 0 END) AS fee,
           payments_exact_sum(CASE WHEN b.type = 'refund' THEN -b.amount ELSE 0 END) AS refunded,
           payments_exact_sum(CASE WHEN b.type = 'transfer' THEN -b.amount ELSE 0 END) AS transferred,
           count(*) FILTER (WHERE b.type NOT IN ('charge', 'refund', 'transfer', 'payout')) AS other,
           payments_exact_sum(CASE WHEN b.type NOT IN ('charge', 'refund', 'transfer', 'payout') THEN b.net
                                   ELSE 0 END) AS other_net,
           bool_or(b.order_ref = '' AND b.type IN ('charge', 'refund')) AS unassigned
    FROM payments_stripebalancetransaction b
    LEFT JOIN transfer_batch tb ON tb.source = b.source AND b.type = 'transfer'
    WHERE b.created >= %(start)s AND b.created < %(end)s AND b.currency = %(currency)s AND b.type <> 'payout'
    GROUP BY 1
),
joined AS (
    SELECT COALESCE(s.ref, l.ref) AS ref,
           COALESCE(s.gross, 0) AS s_gross, COALESCE(l.gross, 0) AS l_gross,
           COALESCE(s.fee, 0) AS s_fee, COALESCE(l.fee, 0) AS l_fee,
           COALESCE(s.refunded, 0) AS s_ref, COALESCE(l.refunded, 0) AS l_ref,
           COALESCE(s.transferred, 0) AS s_tr, COALESCE(l.transferred, 0) AS l_tr,
           COALESCE(s.other, 0) AS other, COALESCE(s.other_net, 0) AS other_net,
           COALESCE(s.unassigned, false) AS unassigned
    FROM stripe s FULL OUTER JOIN ledger l ON l.ref = s.ref
)
SELECT ref, s_gross, l_gross, s_fee, l_fee, s_ref, l_ref, s_tr, l_tr, other, other_net, unassigned,
       (SELECT count(*) FROM joined) AS refs
FROM joined
WHERE s_gross <> l_gross OR s_fee <> l_fee OR s_ref <> l_ref OR s_tr <> l_tr OR other > 0 OR unassigned
ORDER BY ref
"""

_ACTIONS = {
    "charge": "Stripe captured {s}, the ledger posted {l}: check the order's payment posting "
    "(post the missing payment, or explain a timing difference at the period boundary).",
    "fee": "Stripe kept a fee of {s}, the ledger recorded {l}: collect the order's fee from Stripe "
    "(manage.py stripe_fee_collect <order>, e.g. after a lost Stripe event); else post a fee adjustment "
    "of the difference (payments.ledger_services.fee_adjustment_post), or explain it.",
    "refund": "Stripe refunded {s}, the ledger posted {l}: reverse the wrong refund posting and post "
    "the refund Stripe made, or post the missing refund.",
    "transfer": "Stripe transferred {s}, the payout posted {l}: check the settlement batch's transfers.",
    "other": "Stripe reports {s} of other balance activity (adjustment, dispute...): explain it.",
    "unassigned": "Stripe activity without an order reference: find its order, or explain it.",
}


@dataclass(frozen=True)
class Reconciliation:
    period: AccountingPeriod
    items: list[Item]
    refs: int  # orders and batches compared

    @property
    def open_items(self) -> list[Item]:
        return [i for i in self.items if i.status == "open"]


def period_reconcile(*, period: AccountingPeriod, currency: str = "CNY") -> Reconciliation:
    """Compare Stripe with the ledger for a period: the differences, each with what to do about it."""
    with transaction.atomic(), connection.cursor() as cursor:
        # one big aggregate: JIT compiling it cost more than it saved (2.4 of 2.7 s on 100,000 rows), and
        # its hash tables (720,000 orders: 115 MB the ledger's, 190 MB Stripe's; a hash may take twice
        # work_mem) spilled to disk at 64 MB; both for this transaction only
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '128MB'")
        # the accounts Stripe's figures are compared with, by id: the entries are filtered on their index
        cursor.execute(
            "SELECT array_agg(id) FILTER (WHERE kind = 'stripe_clearing'), "
            "array_agg(id) FILTER (WHERE kind = 'refunds') FROM payments_account "
            "WHERE kind IN ('stripe_clearing', 'refunds')"
        )
        clearing, refunds = (ids or [] for ids in cursor.fetchone())
        params = {"start": period.start, "end": period.end, "currency": currency}
        params |= {"clearing": clearing, "refunds": refunds, "accounts": clearing + refunds}
        cursor.execute(_MATCH, params)
        rows = cursor.fetchall()
    explained = dict(period.explanations.values_list("item_key", "note"))
    items: list[Item] = []
    refs = 0
    for (
        ref,
        s_gross,
        l_gross,
        s_fee,
        l_fee,
        s_ref,
        l_ref,
        s_tr,
        l_tr,
        other,
        other_net,
        unassigned,
        n,
    ) in rows:
        refs = n
        pairs = [
            ("charge", s_gross, l_gross),
            ("fee", s_fee, l_fee),
            ("refund", s_ref, l_ref),
            ("transfer", s_tr, l_tr),
        ]
        for kind, s, ledger in pairs:
            if s != ledger:
                items.append(_item(kind, ref, int(s), int(ledger), explained))
        if other:
            items.append(_item("other", ref, int(other_net), 0, explained))
        if unassigned:
            items.append(_item("unassigned", ref, int(s_gross - s_ref), 0, explained))
    if not rows:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(DISTINCT order_ref) FROM payments_ledgertransaction WHERE posted_at >= %s "
                "AND posted_at < %s",
                [period.start, period.end],
            )
            refs = cursor.fetchone()[0]
    return Reconciliation(period=period, items=items, refs=refs)


def _item(kind: str, ref: str, s: int, ledger: int, explained: Mapping[str, str]) -> Item:
    key = f"{kind}:{ref}"
    note = explained.get(key, "")
    return Item(
        key=key,
        kind=kind,
        ref=ref,
        stripe=s,
        ledger=ledger,
        status="explained" if note else "open",
        action=_ACTIONS[kind].format(s=s, l=ledger),
        note=note,
    )


def period_open(*, start: datetime, end: datetime) -> AccountingPeriod:
    period, _ = AccountingPeriod.objects.get_or_create(start=start, defaults={"end": end})
    return period


def item_explain(*, period: AccountingPeriod, item_key: str, note: str, actor) -> ReconciliationExplanation:
    """Record why a difference is acceptable; an explained item no longer blocks closing."""
    if period.status == AccountingPeriod.Status.CLOSED:
        raise SettlementError(SettlementErrorCode.PERIOD_CLOSED, "the period is closed")
    explanation, _ = ReconciliationExplanation.objects.update_or_create(
        period=period, item_key=item_key, defaults={"note": note.strip(), "explained_by": actor}
    )
    audit_record(actor=actor, action="reconciliation.explained", subject=f"period:{period.pk}", item=item_key)
    return explanation


def period_close(*, period_id: int, actor, currency: str = "CNY") -> AccountingPeriod:
    """Close a period once every difference is matched or explained; nothing can be posted into it after."""
    with transaction.atomic():
        period = AccountingPeriod.objects.select_for_update().get(pk=period_id)
        if period.status == AccountingPeriod.Status.CLOSED:
            return period
        result = period_reconcile(period=period, currency=currency)
        if result.open_items:
            raise SettlementError(
                SettlementErrorCode.PERIOD_NOT_RECONCILED,
                f"{len(result.open_items)} differences are neither fixed nor explained",
            )
        overlapping = (
            AccountingPeriod.objects.filter(
                status=AccountingPeriod.Status.CLOSED, start__lt=period.end, end__gt=period.start
            )
            .exclude(pk=period.pk)
            .first()
        )
        if overlapping is not None:
            raise SettlementError(
                SettlementErrorCode.PERIOD_OVERLAP, f"the period overlaps closed period {overlapping}"
            )
        period_books_close(period=period, actor=actor)
        audit_record(actor=actor, action="period.closed", subject=f"period:{period.pk}")
    return period


# What each account moved in the period, written with the closing (PostgreSQL checks it at commit).
_CLOSING_BALANCES = """
INSERT INTO payments_closedperiodbalance (period_id, account_id, currency, amount)
SELECT %(period)s, m.account_id, m.currency, m.amount FROM payments_period_movements(%(period)s) m
"""


def period_books_close(*, period: AccountingPeriod, actor) -> None:
    """Mark the period closed and write each account's movement in it and each party's statement figures
    (call inside a transaction).

    Postings are paused until the transaction commits (a SHARE lock on the ledger's transactions): one that
    was being posted is waited for, so it is in the closing balances, and one posted after the commit is
    refused by the closed-period trigger; none can fall between the sums and the closing.
    """
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE payments_ledgertransaction IN SHARE MODE")
    period.status = AccountingPeriod.Status.CLOSED
    period.closed_by = actor
    period.closed_at = clock.now()
    period.save(update_fields=["status", "closed_by", "closed_at"])
    with connection.cursor() as cursor:
        cursor.execute(_CLOSING_BALANCES, {"period": period.pk})
    period_statement_figures_keep(period_id=period.pk, start=period.start, end=period.end)
