"""Payout transparency: a party's order lines with share, fee, net, refunds and when each is (to be) paid.

Two queries a page, whatever its length or the party's size: the lines (a keyset page of the party's split
lines in the period, read along one index) with their gross, the party's postings to date, the batches
whose items hold the sale and the last refund (a batch's membership, the same rows its page, its total and
the bank file come from), what each batch pays of the line, and the order's number and product; then the
party's last batch, from which a line in none is expected (settlement_run's rule).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core import clock
from payments.models import SettlementBatch
from payments.settlement.periods import at_midnight, period_containing

PAGE = 200

# `keys`: one page of the party's lines with a posting in the period, each keyed by its first posting there
# (posted_at, transaction, line): a keyset page read from the cursor along payments_split_party_prior_idx
# (party, currency, posted_at, transaction, line, prior_at), never counted or skipped over, whatever the
# party's size. A posting whose line's previous posting (prior_at, 0022_split_line_prior_at; set for refunds'
# postings) is inside the period is passed over on its index entry, its row never read: a month ending with
# refunds of lines sold earlier in it costs index entries, not a probe each. The rest are probed (a posting
# inserted out of time order can have an older prior_at than its true predecessor: never skipped wrongly, only
# probed).
_KEYS = """
    SELECT DISTINCT ON (s.posted_at, s.transaction_id, s.line_ref)
           s.order_ref, s.line_ref, s.posted_at AS first_at, s.transaction_id AS first_txn
    FROM payments_splitline s
    WHERE s.party = %(party)s AND s.currency = %(currency)s
      AND s.posted_at >= %(start)s AND s.posted_at < %(end)s {order_filter} {cursor_filter}
      AND s.prior_at < %(start)s  -- else that earlier posting, in the period, is the line's key
      AND NOT EXISTS (  -- an earlier posting of the line in the period is its key
          SELECT 1 FROM payments_splitline p
          WHERE p.order_ref = s.order_ref AND p.line_ref = s.line_ref AND p.party = s.party
            AND p.currency = s.currency AND p.posted_at >= %(start)s
            AND (p.posted_at, p.transaction_id) < (s.posted_at, s.transaction_id)
      )
    ORDER BY s.posted_at {direction}, s.transaction_id {direction}, s.line_ref {direction}
    LIMIT %(limit)s
"""

# Then every posting of those lines to date, so a line sold earlier and refunded in the period shows its
# sale too.
_LINES = """
WITH keys AS ({keys}), lines AS (  -- a design call's award (ledger_services.award_post) reads as a sale
    SELECT s.order_ref, s.line_ref,
           min(t.posted_at) FILTER (WHERE t.kind IN ('payment', 'award')) AS sold_at,
           min(s.transaction_id) FILTER (WHERE t.kind IN ('payment', 'award')) AS payment_id,
           min(s.id) FILTER (WHERE t.kind IN ('payment', 'award')) AS sale_split_id,
           (array_agg(s.id ORDER BY t.posted_at DESC, s.id DESC) FILTER (WHERE t.kind = 'refund'))[1]
               AS refund_split_id,
           max(s.role) FILTER (WHERE t.kind IN ('payment', 'award')) AS role,
           max(s.rule) FILTER (WHERE t.kind IN ('payment', 'award')) AS rule,
           max(s.bps) FILTER (WHERE t.kind IN ('payment', 'award')) AS bps,
           COALESCE(sum(s.amount) FILTER (WHERE k.kind IN ('payment', 'award')), 0) AS share,
           COALESCE(sum(s.fee) FILTER (WHERE k.kind IN ('payment', 'award', 'fee')), 0) AS fee,
           COALESCE(sum(s.amount - s.fee) FILTER (WHERE k.kind = 'refund'), 0) AS refunds,
           max(t.posted_at) FILTER (WHERE t.kind = 'refund') AS refunded_at,
           sum(s.amount - s.fee) AS balance
    FROM keys
    JOIN payments_splitline s
      ON s.order_ref = keys.order_ref AND s.line_ref = keys.line_ref
     AND s.party = %(party)s AND s.currency = %(currency)s
    JOIN payments_ledgertransaction t ON t.id = s.transaction_id
    LEFT JOIN payments_ledgertransaction o ON o.id = t.reverses_id  -- a correction counts as what it reverses
    CROSS JOIN LATERAL (SELECT COALESCE(o.kind, t.kind) AS kind) k
    GROUP BY s.order_ref, s.line_ref
)
SELECT l.order_ref, l.line_ref, keys.first_at, keys.first_txn, l.sold_at, l.role, l.rule, l.bps, l.share,
       l.fee, l.refunds, l.balance,
       l.refunded_at, COALESCE(g.gross, 0) AS gross, ord.number AS order_number, ol.product_name,
       b.id AS batch_id, b.status AS batch_status, b.period_start AS batch_start, b.period_end AS batch_end,
       COALESCE(b.paid_at, b.executed_at) AS batch_paid_at,
       r.id AS refund_batch_id, r.status AS refund_batch_status, r.period_start AS refund_batch_start,
       r.period_end AS refund_batch_end, COALESCE(r.paid_at, r.executed_at) AS refund_batch_paid_at,
       COALESCE(n.batch_nets, '[]') AS batch_nets
FROM keys JOIN lines l ON l.order_ref = keys.order_ref AND l.line_ref = keys.line_ref
LEFT JOIN LATERAL (
    SELECT sum(x.amount) AS gross FROM payments_splitline x
    WHERE x.transaction_id = l.payment_id AND x.line_ref = l.line_ref
) g ON true
-- the live batch whose items hold the sale, and the one holding the last refund
LEFT JOIN payments_settlementbatchitem bi ON bi.split_line_id = l.sale_split_id AND bi.live
LEFT JOIN payments_settlementbatch b ON b.id = bi.batch_id
LEFT JOIN payments_settlementbatchitem ri ON ri.split_line_id = l.refund_split_id AND ri.live
LEFT JOIN payments_settlementbatch r ON r.id = ri.batch_id
-- what each live batch pays of this line (sale, fee, refunds, corrections): [[batch, net], ...]
LEFT JOIN LATERAL (
    SELECT json_agg(json_build_array(x.batch_id, x.net) ORDER BY x.batch_id) AS batch_nets FROM (
        SELECT i.batch_id, sum(i.amount) AS net
        FROM payments_splitline s2
        JOIN payments_settlementbatchitem i ON i.split_line_id = s2.id AND i.live
        WHERE s2.order_ref = l.order_ref AND s2.line_ref = l.line_ref
          AND s2.party = %(party)s AND s2.currency = %(currency)s
        GROUP BY i.batch_id
    ) x
) n ON true
LEFT JOIN orders_order ord ON ord.saleor_id = l.order_ref
-- a line's tax is split as "<line>:tax": it names the same product
LEFT JOIN orders_orderline ol ON ol.saleor_id = split_part(l.line_ref, ':', 1) AND ol.order_id = ord.id
ORDER BY keys.first_at, keys.first_txn, keys.line_ref
"""


@dataclass(frozen=True)
class Settlement:
    """Where a line's sale stands: paid / in a batch / held / expected, with the batch, period and date."""

    code: str  # paid, carried, awaiting_approval, awaiting_execution, held, expected, unsold
    batch: int | None = None
    day: date | None = None  # paid on, held until, or expected on
    period: tuple[date, date] | None = None
    held_until: date | None = None
    refund: bool = False  # the line's last refund: deducted from a payout rather than paid

    @property
    def text(self) -> str:
        if self.refund:
            return self._refund_text()
        if self.code == "paid":
            return _("paid in batch %(n)s (%(day)s)") % {"n": self.batch, "day": self.day}
        if self.code == "carried":
            return _("netted in batch %(n)s: nothing to pay, carried forward") % {"n": self.batch}
        if self.code == "awaiting_approval":
            return _("in batch %(n)s, awaiting approval") % {"n": self.batch}
        if self.code == "awaiting_execution":
            return _("in batch %(n)s, approved, awaiting execution") % {"n": self.batch}
        expected = _("expected in the settlement of period %(period)s, on %(day)s") % {
            "period": self.period_text,
            "day": self.day,
        }
        if self.code == "held":
            return _("held in the return window until %(until)s; %(expected)s") % {
                "until": self.held_until,
                "expected": expected,
            }
        if self.code == "expected":
            return expected
        return _("no sale posted for this line")

    def _refund_text(self) -> str:
        if self.code == "paid":
            return _("refund deducted in batch %(n)s (%(day)s)") % {"n": self.batch, "day": self.day}
        if self.code == "carried":
            return _("refund netted in batch %(n)s, carried forward") % {"n": self.batch}
        if self.code in ("awaiting_approval", "awaiting_execution"):
            return _("refund to be deducted in batch %(n)s, not yet executed") % {"n": self.batch}
        return _("refund to be deducted in the settlement of period %(period)s, on %(day)s") % {
            "period": self.period_text,
            "day": self.day,
        }

    @property
    def period_text(self) -> str:
        return f"{self.period[0]}..{self.period[1] - timedelta(days=1)}" if self.period else ""


_BATCH_CODES = {
    SettlementBatch.Status.EXECUTED: "paid",
    SettlementBatch.Status.PAID: "paid",
    SettlementBatch.Status.CARRIED: "carried",
    SettlementBatch.Status.PROPOSED: "awaiting_approval",
    SettlementBatch.Status.APPROVED: "awaiting_execution",
}


def expected_settlement(
    *, sold_at: datetime, window_days: int, kind: str, last_period_end: date | None, now: datetime
) -> Settlement:
    """Status of a sale in no batch yet, by settlement_run's rule: a batch of a period ending at E settles
    lines posted up to E - window, and the daily job proposes a closed period's batch on the day it ends."""
    window = timedelta(days=window_days)
    released = sold_at + window
    # the first period whose end (midnight) is not before the release: released <= end - 0
    start, end = period_containing(clock.today(released - timedelta(microseconds=1)), kind)
    while last_period_end is not None and end <= last_period_end:  # that period's batch is already made
        start, end = period_containing(end, kind)
    day = max(end, clock.today(now))  # a closed period not yet run is proposed at the next daily run
    if released > now:
        return Settlement("held", day=day, period=(start, end), held_until=clock.today(released))
    return Settlement("expected", day=day, period=(start, end))


@dataclass(frozen=True)
class Cursor:
    """Where a page starts or ends: a line's first posting in the period (posted_at, transaction, line)."""

    at: datetime
    txn: int
    line_ref: str

    def __str__(self) -> str:
        return f"{self.at.isoformat()}~{self.txn}~{self.line_ref}"

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        """A cursor as links carry it, or None when it is not one."""
        try:
            at, txn, line_ref = text.split("~", 2)
            when = datetime.fromisoformat(at)
            return cls(when, int(txn), line_ref) if when.tzinfo is not None else None
        except ValueError:
            return None


def order_lines(
    *,
    party: str,
    currency: str,
    start: datetime,
    end: datetime,
    window_days: int,
    kind: str,
    now: datetime,
    order_ref: str | None = None,
    after: Cursor | None = None,
    before: Cursor | None = None,
    last: bool = False,
    per_page: int | None = None,
) -> tuple[list[dict], bool]:
    """One page of the party's order lines with a posting in [start, end), in order of their first posting
    there, and whether more follow in the direction read: the first page, the page after or before a cursor
    (each row's `cursor`), or the last page (`last`). Read backwards (`before`, `last`), `more` says whether
    pages precede it."""
    per_page = per_page or PAGE
    backwards = before is not None or last
    cursor = before if before is not None else after
    params = {
        "party": party,
        "currency": currency,
        "start": start,
        "end": end,
        "order": order_ref,
        "limit": per_page + 1,
    }
    cursor_filter = ""
    if cursor is not None:
        params.update({"at": cursor.at, "txn": cursor.txn, "line": cursor.line_ref})
        op = "<" if backwards else ">"
        cursor_filter = f"AND (s.posted_at, s.transaction_id, s.line_ref) {op} (%(at)s, %(txn)s, %(line)s)"
    with transaction.atomic(), connection.cursor() as db:
        # a page reads a few hundred index entries: parallel workers (planned for the whole party's lines
        # the LIMIT stops short of) only add their start-up and scan ahead; this transaction only
        db.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        keys = _KEYS.format(
            order_filter="AND s.order_ref = %(order)s" if order_ref else "",
            cursor_filter=cursor_filter,
            direction="DESC" if backwards else "ASC",
        )
        db.execute(_LINES.format(keys=keys), params)
        cols = [c.name for c in db.description]
        rows = [dict(zip(cols, row, strict=True)) for row in db.fetchall()]
    more = len(rows) > per_page
    if more:  # the extra row read is the furthest in the direction read
        rows = rows[1:] if backwards else rows[:per_page]
    last_batch = (
        SettlementBatch.objects.filter(party=party, currency=currency)
        .exclude(status=SettlementBatch.Status.REJECTED)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    rule = {"window_days": window_days, "kind": kind, "last": last_batch, "now": now}
    for row in rows:
        row["cursor"] = str(Cursor(row["first_at"], int(row["first_txn"]), row["line_ref"]))
        row["net"] = row["share"] - row["fee"]
        row["batch_nets"] = [(int(batch), int(net)) for batch, net in row["batch_nets"]]
        row["settlement"] = _settlement(row, "", row["sold_at"], **rule)
        row["refund_settlement"] = (
            _settlement(row, "refund_", row["refunded_at"], **rule) if row["refunded_at"] else None
        )
    return rows, more


def _settlement(row: dict, prefix: str, at: datetime | None, *, window_days, kind, last, now) -> Settlement:
    """The status of the posting at `at` from its batch's columns (`batch_*` or `refund_batch_*`)."""
    refund = prefix == "refund_"
    if at is None:
        return Settlement("unsold")
    if row[f"{prefix}batch_id"] is not None:
        paid = row[f"{prefix}batch_paid_at"]
        return Settlement(
            _BATCH_CODES[row[f"{prefix}batch_status"]],
            batch=row[f"{prefix}batch_id"],
            day=clock.today(paid) if paid else None,
            period=(row[f"{prefix}batch_start"], row[f"{prefix}batch_end"]),
            refund=refund,
        )
    expected = expected_settlement(
        sold_at=at, window_days=window_days, kind=kind, last_period_end=last, now=now
    )
    return replace(expected, refund=refund)


def statement_order_lines(
    party: str, start: date, end: date, *, now: datetime, **page
) -> tuple[list[dict], bool]:
    """One page of the party's order lines for a statement of the Beijing days [start, end), settled by the
    platform's settlement rules (`page`: order_lines' order_ref, after, before, last, per_page)."""
    return order_lines(
        party=party,
        currency=settings.SETTLEMENT_CURRENCY,
        start=at_midnight(start),
        end=at_midnight(end),
        window_days=settings.SETTLEMENT_RETURN_WINDOW_DAYS,
        kind=settings.SETTLEMENT_PERIOD,
        now=now,
        **page,
    )
