"""Ledger benchmark (prints figures; not a test).

1. Posts paid order lines (1-5 lines per order, 3-5 parties per line, a processor fee), every row
   passing the real PostgreSQL triggers, by both paths in the same run: first --old-lines of them one
   order per database transaction (payment_post, as one delivery posts its order), then --lines more
   through the batched path (payment_post_batch, --batch orders per database transaction); prints
   lines per second of each and their ratio. Target for the batched path: >= 10,000 lines/s
   (goal 20,000) on 2 cores.
2. Grows the ledger to --balance-lines lines by replaying the posted transactions in SQL (new keys and
   order refs, same amounts; the same insert and commit-time balance triggers run), round r dated r months
   before the originals, so the ledger spans one month per round. Times balances of all accounts/parties
   summed over every entry (the plain sum). Target: <= 10 s over 1,000,000 lines.
3. Closes every month before the current one as period_close does once reconciled (each month's
   closing sums written and checked against its entries by PostgreSQL), then times the balances as read
   (closing sums plus the entries of the open month) against the plain sum in the same run, checks they
   are equal and prints the ratio. Target: all parties over 10M lines with closed periods <= 1 s.

Runs in its own database (wc_ledger_bench on the server of DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/), created at start and dropped at the end unless --keep.

    .venv/bin/python bench/ledger.py [--lines 100000] [--old-lines 10000] [--balance-lines 1000000]
                                     [--batch 500] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path

from _common import bench_database


def _sales(n_lines: int, rng: random.Random):
    from payments.split import AgreementVersion, FeeRule, PartyShare, Sale, SaleLine

    agreements = []
    for unit in range(1, 201):
        parties = [("unit", f"unit:{unit}"), ("entity", f"entity:{unit % 50}"), ("platform", "platform")]
        if unit % 3 == 0:
            parties.append(("curator", f"library:{unit % 17}"))
        cuts = sorted(rng.sample(range(1, 10_000), len(parties) - 1))
        bps = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
        fee_rule = FeeRule.PLATFORM if unit % 4 == 0 else FeeRule.PRO_RATA
        shares = tuple(PartyShare(p, role, b) for (role, p), b in zip(parties, bps, strict=True))
        agreements.append(AgreementVersion(f"agr:{unit}:v1", shares, fee_rule=fee_rule))
    sales, made, order = [], 0, 0
    while made < n_lines:
        order += 1
        lines = []
        for i in range(min(rng.randint(1, 5), n_lines - made)):
            agr = rng.choice(agreements)
            royalties = (
                (PartyShare(f"designer:{rng.randint(1, 40)}", "designer", 500),) if rng.random() < 0.3 else ()
            )
            lines.append(
                SaleLine(f"L{i}", rng.randint(100, 200_000), agr, agr.shares[1].party, royalties=royalties)
            )
        gross = sum(ln.gross for ln in lines)
        discount = rng.randint(0, gross // 10) if rng.random() < 0.3 else 0
        captured = gross - discount
        fee = captured * 29 // 1000 + 30 if captured > 30 else 0
        sales.append(Sale(f"bench-{order}", "CNY", captured, tuple(lines), discount=discount, fee=fee))
        made += len(lines)
    return sales


_REPLAY = """
CREATE TEMP TABLE replay_map ON COMMIT DROP AS
    SELECT id AS old_id, nextval(pg_get_serial_sequence('payments_ledgertransaction', 'id')) AS new_id
    FROM payments_ledgertransaction WHERE order_ref NOT LIKE '%%/r%%';
INSERT INTO payments_ledgertransaction
    (id, idempotency_key, kind, order_ref, currency, fingerprint, memo, posted_at, reverses_id)
SELECT m.new_id, t.idempotency_key || '/r' || %(r)s, t.kind, t.order_ref || '/r' || %(r)s, t.currency,
       t.fingerprint, 'bench replay', t.posted_at - %(r)s * interval '1 month', NULL
FROM replay_map m JOIN payments_ledgertransaction t ON t.id = m.old_id;
INSERT INTO payments_ledgerentry (transaction_id, account_id, amount, currency)
SELECT m.new_id, e.account_id, e.amount, e.currency
FROM replay_map m JOIN payments_ledgerentry e ON e.transaction_id = m.old_id;
INSERT INTO payments_splitline (transaction_id, order_ref, line_ref, line_kind, party, role, position, bps,
    carved, rule, fee_rule, agreement_version, amount, fee, currency, posted_at)
SELECT m.new_id, s.order_ref || '/r' || %(r)s, s.line_ref, s.line_kind, s.party, s.role, s.position, s.bps,
    s.carved, s.rule, s.fee_rule, s.agreement_version, s.amount, s.fee, s.currency,
    s.posted_at - %(r)s * interval '1 month'
FROM replay_map m JOIN payments_splitline s ON s.transaction_id = m.old_id;
"""


def _backend_cpu_seconds(connection) -> Callable[[], float | None]:
    """A reader of the CPU seconds (user + system) this connection's PostgreSQL backend has used so far,
    from /proc when the server runs on this machine; it returns None otherwise."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float | None:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / ticks

    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000, help="lines posted by the batched path")
    parser.add_argument("--old-lines", type=int, default=10_000, help="lines posted one order at a time")
    parser.add_argument("--balance-lines", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=500, help="orders per database transaction")
    parser.add_argument("--db", default="wc_ledger_bench")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    with bench_database(args.db, keep=args.keep, apps=("payments",)):
        from django.db import connection, transaction

        from payments.ledger_services import payment_post, payment_post_batch
        from payments.models import AccountingPeriod
        from payments.reconciliation.services import period_books_close
        from payments.selectors import (
            account_balances,
            account_balances_from_entries,
            closed_balances_mismatched,
            party_owed,
            transactions_unbalanced,
        )

        rng = random.Random(20261127)
        t0 = time.perf_counter()
        sales = _sales(args.old_lines + args.lines, rng)
        print(
            f"generated {len(sales):,} orders / {args.old_lines + args.lines:,} lines "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        made, cut = 0, 0  # the first orders holding --old-lines lines go one by one, the rest in batches
        while cut < len(sales) and made < args.old_lines:
            made += len(sales[cut].lines)
            cut += 1
        one_by_one, batched = sales[:cut], sales[cut:]

        def counts() -> tuple[int, int]:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM payments_ledgerentry")
                entries = cursor.fetchone()[0]
                cursor.execute("SELECT count(*) FROM payments_splitline")
                return entries, cursor.fetchone()[0]

        # 1. posting throughput: one order per database transaction, then batches, in the same database
        t0 = time.perf_counter()
        for s in one_by_one:
            payment_post(idempotency_key=f"payment:{s.order_ref}", sale=s)
        old_rate = made / (time.perf_counter() - t0)
        entries_before, splits_before = counts()
        print(
            f"old path, one order per transaction (payment_post): {made:,} lines ({cut:,} transactions) "
            f"{old_rate:,.0f} lines/s"
        )
        n_batched = args.old_lines + args.lines - made
        server_cpu = _backend_cpu_seconds(connection)
        t0, c0, s0 = time.perf_counter(), time.process_time(), server_cpu()
        for start in range(0, len(batched), args.batch):
            chunk = batched[start : start + args.batch]
            payment_post_batch(payments=[(f"payment:{s.order_ref}", s) for s in chunk])
        elapsed = time.perf_counter() - t0
        client_us, server_us = (time.process_time() - c0) * 1e6 / n_batched, None
        if (s1 := server_cpu()) is not None:
            server_us = (s1 - s0) * 1e6 / n_batched
        entries, split_rows = counts()
        new_rate = n_batched / elapsed
        print(
            f"batched path, {args.batch} orders per transaction (payment_post_batch): {n_batched:,} lines "
            f"({len(batched):,} transactions, {entries - entries_before:,} entries, "
            f"{split_rows - splits_before:,} split lines) in {elapsed:.1f} s: {new_rate:,.0f} lines/s "
            f"(target >= 10,000, goal 20,000)"
        )
        print(f"batched / old: {new_rate / old_rate:.1f}x")
        print(
            f"CPU per batched line: client {client_us:.0f} us, PostgreSQL backend "
            + (f"{server_us:.0f} us" if server_us is not None else "unknown (server not on this machine)")
            + f"; wall {elapsed * 1e6 / n_batched:.0f} us (the rest: waits, or other processes' turn)"
        )
        t0 = time.perf_counter()
        again = payment_post_batch(payments=[(f"payment:{s.order_ref}", s) for s in sales[: args.batch]])
        print(
            f"re-posting {len(again)} orders (duplicates): {sum(r.created for r in again)} created, "
            f"{time.perf_counter() - t0:.2f} s"
        )

        # 2. grow to --balance-lines lines by replaying, through the same triggers
        rounds = max(0, -(-args.balance_lines // (args.old_lines + args.lines)) - 1)
        t0 = time.perf_counter()
        for r in range(1, rounds + 1):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_REPLAY, {"r": r})
        # each round copies every posted line once: counted, not read back (a DISTINCT over tens of
        # millions of split lines sorts on disk for longer than the replay itself took)
        total_lines = (args.old_lines + args.lines) * (rounds + 1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT count(*) FROM payments_ledgerentry")
            entries = cursor.fetchone()[0]
        print(f"replayed to {total_lines:,} lines ({entries:,} entries) in {time.perf_counter() - t0:.1f} s")

        t0 = time.perf_counter()
        plain = account_balances_from_entries()
        owed = party_owed(currency="CNY")  # no period closed yet: the entries of every month
        plain_s = time.perf_counter() - t0
        print(
            f"balances of all {len(plain):,} accounts ({len(owed):,} parties) over {total_lines:,} lines, "
            f"plain sum of every entry: {plain_s:.2f} s (target <= 10)"
        )
        assert sum(plain.values()) == 0, "the ledger does not balance"

        # 3. close every month before the current one, as period_close does once reconciled
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT date_trunc('month', min(posted_at) AT TIME ZONE 'UTC'), "
                "date_trunc('month', max(posted_at) AT TIME ZONE 'UTC') FROM payments_ledgertransaction"
            )
            first, current = cursor.fetchone()
        months = []
        while first < current:
            nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
            months.append((first.replace(tzinfo=UTC), nxt.replace(tzinfo=UTC)))
            first = nxt
        t0 = time.perf_counter()
        for start, end in months:
            with transaction.atomic():
                period = AccountingPeriod.objects.create(start=start, end=end)
                period_books_close(period=period, actor=None)
        close_s = time.perf_counter() - t0
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute(
                "SELECT count(*) FROM payments_ledgerentry e JOIN payments_ledgertransaction t "
                "ON t.id = e.transaction_id WHERE t.posted_at >= %s",
                [current.replace(tzinfo=UTC)],
            )
            open_entries = cursor.fetchone()[0]
        print(
            f"closed {len(months)} monthly periods (closing sums written and checked at commit) in "
            f"{close_s:.1f} s; {open_entries:,} entries left in the open month"
        )
        # like for like: one read of all balances each way (party_owed reads them again, timed apart)
        t0 = time.perf_counter()
        fast = account_balances()
        fast_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        plain = account_balances_from_entries()
        plain_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        fast_owed = party_owed(currency="CNY")
        owed_s = time.perf_counter() - t0
        assert fast == plain and fast_owed == owed, "balances from closed periods differ from the entries"
        print(
            f"balances of all {len(fast):,} accounts over {total_lines:,} lines with {len(months)} closed "
            f"periods: {fast_s:.3f} s (target <= 1) vs plain sum {plain_s:.2f} s in the same run: "
            f"{plain_s / fast_s:.1f}x faster, equal to the plain sum; what each of the {len(fast_owed):,} "
            f"parties is owed, from them: {owed_s:.3f} s"
        )
        t0 = time.perf_counter()
        mismatched = closed_balances_mismatched()
        print(
            f"audit: {len(mismatched)} closed-period sums differing from their entries "
            f"({time.perf_counter() - t0:.2f} s)"
        )
        t0 = time.perf_counter()
        unbalanced = transactions_unbalanced()
        print(f"audit: {len(unbalanced)} unbalanced transactions ({time.perf_counter() - t0:.2f} s)")


if __name__ == "__main__":
    main()
