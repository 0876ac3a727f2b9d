"""Reconciliation and statement benchmark (prints figures; not a test).

1. Builds a ledger in SQL through the real PostgreSQL triggers (one database transaction per chunk):
   --orders paid orders (3 parties each: a unit, an operating entity, the platform; a processor fee),
   a refund on every --refund-every'th order, two days after it (all inside the month);
   3 split lines per posting.
2. Imports --btx Stripe balance transactions (a charge per order, a refund per refund, payouts to the
   platform's bank to make up the count) through payments.reconciliation.services, with deliberate
   differences: --defects orders whose fee Stripe reports 1 fen higher, --defects refunds 1 fen lower.
3. Times period_reconcile over the month (target <= 60 s, <= 1 GiB peak RSS) and checks it finds
   exactly the planted differences.
4. Times statements of every party for the month over all split lines (target <= 30 s), then closes the
   month (closing balances and statement figures written, checked at commit) and times them again, read
   from the closed month's figures (equal to the open month's).
5. Times the statement page (payments.settlement.views.statement, called as platform finance asks it:
   the party's totals and a keyset page of 200 order lines with settlement status: the first, one half-way
   through and the last) for an entity (1/50 of the orders) and for the platform (a line in every order),
   and, alone, the page's order lines and the party's statement totals (target <= 200 ms a page); the objects
   the earlier steps left in this process are frozen out of the garbage collector first (gc.freeze).

Runs in its own database (wc_reconcile_bench on the server of DATABASE_URL), dropped at the end
unless --keep. --reuse times only step 5 on the database a run with --keep left (its month built, reconciled
and closed; refused if it is not), after applying any new migration to it, and keeps it: its figures are of
that database's orders, whatever --orders says. When there is no such database it builds one, as --keep.

    .venv/bin/python bench/reconcile.py [--orders 720000] [--btx 1000000] [--keep | --reuse] [--db NAME]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import threading
import time
from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from _common import bench_database, database_exists, database_urls

# a Beijing month, as finance opens a period and asks for a statement (settlement.periods.at_midnight)
START = datetime(2026, 11, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
END = datetime(2026, 12, 1, tzinfo=ZoneInfo("Asia/Shanghai"))

# Orders [lo, hi): captured c, fee f (borne by the platform), unit 70%, entity 20%, platform the rest.
_PAYMENTS = """
CREATE TEMP TABLE gen ON COMMIT DROP AS
SELECT i, nextval(pg_get_serial_sequence('payments_ledgertransaction', 'id')) AS txn,
       1000 + (i * 7919) %% 100000 AS c,
       %(start)s::timestamptz + ((i * 2654435761) %% 2332800) * interval '1 second' AS at
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) AS i;
INSERT INTO payments_ledgertransaction (id, idempotency_key, kind, order_ref, currency, fingerprint, memo,
    posted_at)
SELECT txn, 'payment:b-' || i, 'payment', 'b-' || i, 'CNY', 'bench', '', at FROM gen;
INSERT INTO payments_ledgerentry (transaction_id, account_id, amount, currency)
SELECT g.txn, a.id, v.amount, 'CNY'
FROM gen g
CROSS JOIN LATERAL (VALUES
    ('stripe_clearing', '', g.c),
    ('stripe_clearing', '', -(g.c * 29 / 1000 + 1)),
    ('processor_fees', '', g.c * 29 / 1000 + 1),
    ('party_payable', 'unit:' || (g.i %% 200), -(g.c * 7 / 10)),
    ('party_payable', 'entity:' || (g.i %% 50), -(g.c * 2 / 10)),
    ('platform_revenue', 'platform', -(g.c - g.c * 7 / 10 - g.c * 2 / 10))
) AS v(kind, party, amount)
JOIN payments_account a ON a.kind = v.kind AND a.party = v.party;
INSERT INTO payments_splitline (transaction_id, order_ref, line_ref, line_kind, party, role, position, bps,
    carved, rule, fee_rule, agreement_version, amount, fee, currency, posted_at)
SELECT g.txn, 'b-' || g.i, 'L1', 'product', v.party, v.role, v.pos, v.bps, false, 'agreement', 'platform',
       'agr:bench', v.amount, 0, 'CNY', g.at
FROM gen g
CROSS JOIN LATERAL (VALUES
    ('unit:' || (g.i %% 200), 'unit', 0, 7000, g.c * 7 / 10),
    ('entity:' || (g.i %% 50), 'entity', 1, 2000, g.c * 2 / 10),
    ('platform', 'platform', 2, 1000, g.c - g.c * 7 / 10 - g.c * 2 / 10)
) AS v(party, role, pos, bps, amount);
"""

# A refund of every n'th order: r = c / 4, split like the sale, two days after the payment.
_REFUNDS = """
CREATE TEMP TABLE gen ON COMMIT DROP AS
SELECT i, nextval(pg_get_serial_sequence('payments_ledgertransaction', 'id')) AS txn,
       (1000 + (i * 7919) %% 100000) / 4 AS r,
       %(start)s::timestamptz + ((i * 2654435761) %% 2332800) * interval '1 second' + interval '2 days' AS at
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) AS i WHERE i %% %(every)s = 0;
INSERT INTO payments_ledgertransaction (id, idempotency_key, kind, order_ref, currency, fingerprint, memo,
    posted_at)
SELECT txn, 'refund:b-' || i, 'refund', 'b-' || i, 'CNY', 'bench', '', at FROM gen;
INSERT INTO payments_ledgerentry (transaction_id, account_id, amount, currency)
SELECT g.txn, a.id, v.amount, 'CNY'
FROM gen g
CROSS JOIN LATERAL (VALUES
    ('party_payable', 'unit:' || (g.i %% 200), g.r * 7 / 10),
    ('party_payable', 'entity:' || (g.i %% 50), g.r * 2 / 10),
    ('platform_revenue', 'platform', g.r - g.r * 7 / 10 - g.r * 2 / 10),
    ('refunds', '', -g.r)
) AS v(kind, party, amount)
JOIN payments_account a ON a.kind = v.kind AND a.party = v.party
WHERE v.amount <> 0;
INSERT INTO payments_splitline (transaction_id, order_ref, line_ref, line_kind, party, role, position, bps,
    carved, rule, fee_rule, agreement_version, amount, fee, currency, posted_at)
SELECT g.txn, 'b-' || g.i, 'L1', 'product', v.party, v.role, v.pos, v.bps, false, 'agreement', 'platform',
       'agr:bench', -v.amount, 0, 'CNY', g.at
FROM gen g
CROSS JOIN LATERAL (VALUES
    ('unit:' || (g.i %% 200), 'unit', 0, 7000, g.r * 7 / 10),
    ('entity:' || (g.i %% 50), 'entity', 1, 2000, g.r * 2 / 10),
    ('platform', 'platform', 2, 1000, g.r - g.r * 7 / 10 - g.r * 2 / 10)
) AS v(party, role, pos, bps, amount);
"""


def _stripe_rows(orders: int, every: int, total: int, defects: int):
    """Stripe's view: one charge per order, one refund per refund, payouts up to `total` rows."""
    made = 0
    span = int((END - START).total_seconds()) - 4 * 86400
    for i in range(orders):
        c = 1000 + (i * 7919) % 100000
        fee = c * 29 // 1000 + 1 + (1 if i < defects else 0)  # planted: Stripe kept one fen more
        at = START + timedelta(seconds=(i * 2654435761) % 2332800)
        yield {
            "id": f"txn_c{i}",
            "type": "charge",
            "amount": c,
            "fee": fee,
            "net": c - fee,
            "currency": "cny",
            "created": at,
            "source": f"ch_{i}",
            "order_ref": f"b-{i}",
        }
        made += 1
        if i % every == 0:
            r = c // 4 - (1 if i // every < defects else 0)  # planted: Stripe refunded one fen less
            yield {
                "id": f"txn_r{i}",
                "type": "refund",
                "amount": -r,
                "fee": 0,
                "net": -r,
                "currency": "cny",
                "created": at + timedelta(days=2),
                "source": f"re_{i}",
                "order_ref": f"b-{i}",
            }
            made += 1
    for k in range(total - made):
        yield {
            "id": f"txn_p{k}",
            "type": "payout",
            "amount": -1000,
            "fee": 0,
            "net": -1000,
            "currency": "cny",
            "created": START + timedelta(seconds=k % span),
            "source": f"po_{k}",
            "order_ref": "",
        }
    del span


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class BackendPeak:
    """Samples the PostgreSQL backend serving this connection (a local server): its peak RSS in MiB."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.peak = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss / 2**20)
            self.stop.wait(0.05)

    def __enter__(self) -> BackendPeak:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=720_000)
    parser.add_argument("--refund-every", type=int, default=3)
    parser.add_argument("--btx", type=int, default=1_000_000)
    parser.add_argument("--defects", type=int, default=50)
    parser.add_argument("--chunk", type=int, default=60_000)
    parser.add_argument("--db", default="wc_reconcile_bench")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="time only the statement pages of a kept db")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # figures appear as they come, also when redirected

    reuse = args.reuse and database_exists(database_urls(args.db)[0], args.db)
    with bench_database(args.db, keep=args.keep or args.reuse, reuse=reuse):
        if reuse:
            from payments.models import AccountingPeriod, LedgerTransaction

            if not AccountingPeriod.objects.filter(start=START, end=END, status="closed").exists():
                sys.exit(f"{args.db} holds no closed bench month: build it first (--keep, without --reuse)")
            statement_pages(LedgerTransaction.objects.filter(kind="payment").count())
            return
        from django.db import connection, transaction

        from payments.ledger_services import _account_ids
        from payments.models import AccountingPeriod
        from payments.reconciliation.services import (
            balance_transactions_import,
            period_books_close,
            period_reconcile,
        )
        from payments.settlement.statements import statements

        keys = {
            ("stripe_clearing", ""),
            ("processor_fees", ""),
            ("refunds", ""),
            ("platform_revenue", "platform"),
        }
        keys |= {("party_payable", f"unit:{u}") for u in range(200)}
        keys |= {("party_payable", f"entity:{e}") for e in range(50)}
        with transaction.atomic():
            _account_ids(keys)

        t0 = time.perf_counter()
        for lo in range(0, args.orders, args.chunk):
            hi = min(lo + args.chunk, args.orders)
            params = {"lo": lo, "hi": hi, "start": START, "every": args.refund_every}
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_PAYMENTS, params)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_REFUNDS, params)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT count(*) FROM payments_ledgertransaction")
            txns = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM payments_splitline")
            lines = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM payments_ledgerentry")
            entries = cursor.fetchone()[0]
        print(
            f"ledger: {txns:,} transactions, {entries:,} entries, {lines:,} split lines, "
            f"built through the triggers in {time.perf_counter() - t0:.1f} s"
        )

        t0 = time.perf_counter()
        new = balance_transactions_import(
            rows=_stripe_rows(args.orders, args.refund_every, args.btx, args.defects), chunk=50_000
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE payments_stripebalancetransaction")
        print(
            f"imported {new:,} balance transactions in {time.perf_counter() - t0:.1f} s "
            f"(peak RSS so far {_rss_mib():.0f} MiB)"
        )

        period = AccountingPeriod.objects.create(start=START, end=END)
        rss_before = _rss_mib()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        with BackendPeak(backend) as server:
            t0 = time.perf_counter()
            result = period_reconcile(period=period)
            elapsed = time.perf_counter() - t0
        kinds: dict[str, int] = {}
        for item in result.open_items:
            kinds[item.kind] = kinds.get(item.kind, 0) + 1
        print(
            f"reconciled {args.btx:,} balance transactions against {txns:,} ledger transactions "
            f"({result.refs:,} orders compared) in {elapsed:.1f} s (target <= 60); "
            f"differences: {kinds} (planted: {args.defects} fee, {args.defects} refund); "
            f"peak RSS {max(rss_before, _rss_mib()):.0f} MiB here + {server.peak:.0f} MiB PostgreSQL backend "
            "(target <= 1024)"
        )
        assert kinds == {"fee": args.defects, "refund": args.defects}, kinds

        with BackendPeak(backend) as server:
            t0 = time.perf_counter()
            rows = statements(start=START, end=END, currency="CNY")
            elapsed = time.perf_counter() - t0
        assert sum(s.closing for s in rows) == sum(
            s.opening + s.sales - s.fees + s.refunds - s.payouts for s in rows
        )
        print(
            f"statements of all {len(rows):,} parties over {lines:,} split lines, open month: "
            f"{elapsed:.1f} s "
            f"(target <= 30); peak RSS {_rss_mib():.0f} MiB here + {server.peak:.0f} MiB PostgreSQL backend"
        )

        # the month closes (as period_close does once its differences are explained: its closing balances
        # and statement figures written, checked by PostgreSQL at commit)
        t0 = time.perf_counter()
        with transaction.atomic():
            period_books_close(period=AccountingPeriod.objects.get(pk=period.pk), actor=None)
        close_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        closed_rows = statements(start=START, end=END, currency="CNY")
        print(
            f"month closed in {close_s:.1f} s; statements of all {len(closed_rows):,} parties of the "
            f"closed month {(time.perf_counter() - t0) * 1000:.0f} ms, equal to the open month's"
        )
        assert closed_rows == rows

        statement_pages(args.orders)


def statement_pages(orders: int) -> None:
    """Step 5: times the statement page of an entity and of the platform over the built (closed) month."""
    # the statement page (payments.settlement.views.statement, as a platform finance user asks it): the
    # party's statement totals and a keyset page of its order lines: the first, one deep in the list
    # (after a cursor half-way through the party's lines, found here untimed) and the last (read
    # backwards); no page number, no count
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import RequestFactory

    from payments.settlement import views
    from payments.settlement.order_lines import Cursor, order_lines
    from payments.settlement.statements import statements

    user = get_user_model().objects.filter(username="bench-finance").first()  # --reuse: made by the first run
    user = user or get_user_model().objects.create_superuser("bench-finance", "bench@example.com", "x")
    factory = RequestFactory(
        HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip(".*") or "localhost"
    )

    def page(party: str, query: str) -> tuple[float, int]:
        span = f"?start={START:%Y-%m-%d}&end={END:%Y-%m-%d}"
        request = factory.get(f"/finance/statements/{party}/{span}{query}")
        request.user = user
        t0 = time.perf_counter()
        response = views.statement(request, party=party)
        elapsed = time.perf_counter() - t0
        assert response.status_code == 200, response.status_code
        return elapsed, response.content.count(b"order=")

    page("platform", "")  # untimed: a server's process has its modules loaded and templates compiled
    # what the build, import, reconcile and migrations left alive in this process is no server's: frozen
    # out of the collector, so a full collection over it (200-270 ms seen, in a page at random) is not timed
    gc.collect()
    gc.freeze()
    for party, count in (("entity:0", -(-orders // 50)), ("platform", orders)):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.posted_at, s.transaction_id, s.line_ref FROM payments_splitline s "
                "WHERE s.party = %s AND s.currency = 'CNY' AND s.posted_at >= %s AND s.posted_at < %s "
                "ORDER BY s.posted_at, s.transaction_id, s.line_ref OFFSET %s LIMIT 1",
                [party, START, END, count // 2],
            )
            middle = Cursor(*cursor.fetchone())
        pages = []
        which = (("page 1", ""), ("deep page", f"&after={quote(str(middle))}"), ("last page", "&last=1"))
        for label, query in which:
            elapsed, shown = page(party, query)
            t0 = time.perf_counter()
            got, _more = order_lines(
                party=party, currency="CNY", start=START, end=END, window_days=7, kind="monthly", now=END,
                **({"after": middle} if "after" in query else {"last": True} if "last" in query else {}),
            )  # fmt: skip
            lines_ms = (time.perf_counter() - t0) * 1000
            assert shown >= len(got) == 200, (shown, len(got))
            pages.append(f"{label} {elapsed * 1000:.0f} ms ({len(got)} lines alone {lines_ms:.0f} ms)")
        t0 = time.perf_counter()
        statements(start=START, end=END, currency="CNY", parties={party})
        pages.append(f"its statement totals {(time.perf_counter() - t0) * 1000:.0f} ms")
        print(f"statement page of {party} ({count:,} lines, target <= 200 ms): {', '.join(pages)}")


if __name__ == "__main__":
    main()
