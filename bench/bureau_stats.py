"""Bureau statistics benchmark (prints figures; not a test).

Builds, in SQL through the real PostgreSQL triggers, --orders paid one-line orders over a month (200
units of every type, --listings listings in the seven categories, one buyer per --buyer-every orders),
each with its order projection (orders_order, orders_orderline with the listing's SKU) and its ledger
posting (2 split lines: the unit 90%, the platform 10%), and a refund of a quarter on every
--refund-every'th order. Then times payments.settlement.stats.bureau_stats over the month and checks
that sales by unit, unit type and category each add up to the ledger's product lines.

Runs in its own database (wc_bureau_bench on the server of DATABASE_URL), dropped unless --keep.

    .venv/bin/python bench/bureau_stats.py [--orders 500000] [--keep]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime

from _common import bench_database

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)

# Orders [lo, hi): amount c of listing k = i % listings, sold by that listing's unit, at a time in the month.
_ORDERS = """
CREATE TEMP TABLE gen ON COMMIT DROP AS
SELECT i, nextval(pg_get_serial_sequence('payments_ledgertransaction', 'id')) AS txn,
       1000 + (i * 7919) %% 100000 AS c, l.unit_id, l.uid AS unit_uid, l.sku, l.account_id,
       %(start)s::timestamptz + ((i * 2654435761) %% 2505600) * interval '1 second' AS at
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) AS i
JOIN bench_listing l ON l.n = i %% %(listings)s;
INSERT INTO orders_order (saleor_id, number, status, charge_status, currency, total, shipping,
    shipping_address, customer_email, created_in_saleor, saleor_updated_at, projected_at)
SELECT 'b-' || i, i::text, 'UNFULFILLED', 'FULL', 'CNY', c, 0, '{}'::jsonb,
       'buyer' || (i / %(buyer_every)s) || '@example.cn', at, at, at FROM gen;
INSERT INTO orders_orderline (order_id, saleor_id, unit_id, warehouse_id, product_name, variant_name, sku,
    quantity, quantity_fulfilled, undiscounted_total, total_net, total_tax, currency)
SELECT o.id, 'line-' || g.i, g.unit_id, '', 'bench', '', g.sku, 1, 0, g.c, g.c, 0, 'CNY'
FROM gen g JOIN orders_order o ON o.saleor_id = 'b-' || g.i;
INSERT INTO payments_ledgertransaction (id, idempotency_key, kind, order_ref, currency, fingerprint, memo,
    posted_at)
SELECT txn, 'payment:b-' || i, 'payment', 'b-' || i, 'CNY', 'bench', '', at FROM gen;
INSERT INTO payments_ledgerentry (transaction_id, account_id, amount, currency)
SELECT g.txn, v.account_id, v.amount, 'CNY'
FROM gen g CROSS JOIN LATERAL (VALUES
    (%(clearing)s, g.c), (g.account_id, -(g.c * 9 / 10)), (%(revenue)s, -(g.c - g.c * 9 / 10))
) AS v(account_id, amount);
INSERT INTO payments_splitline (transaction_id, order_ref, line_ref, line_kind, party, role, position, bps,
    carved, rule, fee_rule, agreement_version, amount, fee, currency, posted_at)
SELECT g.txn, 'b-' || g.i, 'line-' || g.i, 'product', v.party, v.role, v.pos, v.bps, false, 'agreement',
       'platform', 'agr:bench', v.amount, 0, 'CNY', g.at
FROM gen g CROSS JOIN LATERAL (VALUES
    ('unit:' || g.unit_uid, 'unit', 0, 9000, g.c * 9 / 10),
    ('platform', 'platform', 1, 1000, g.c - g.c * 9 / 10)
) AS v(party, role, pos, bps, amount);
"""

# A refund of a quarter of every n'th order, a day later (a few cross into December).
_REFUNDS = """
CREATE TEMP TABLE gen ON COMMIT DROP AS
SELECT i, nextval(pg_get_serial_sequence('payments_ledgertransaction', 'id')) AS txn,
       (1000 + (i * 7919) %% 100000) / 4 AS r, l.uid AS unit_uid, l.account_id,
       %(start)s::timestamptz + ((i * 2654435761) %% 2505600) * interval '1 second' + interval '1 day' AS at
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) AS i
JOIN bench_listing l ON l.n = i %% %(listings)s
WHERE i %% %(every)s = 0;
INSERT INTO payments_ledgertransaction (id, idempotency_key, kind, order_ref, currency, fingerprint, memo,
    posted_at)
SELECT txn, 'refund:b-' || i, 'refund', 'b-' || i, 'CNY', 'bench', '', at FROM gen;
INSERT INTO payments_ledgerentry (transaction_id, account_id, amount, currency)
SELECT g.txn, v.account_id, v.amount, 'CNY'
FROM gen g CROSS JOIN LATERAL (VALUES
    (%(refunds)s, -g.r), (g.account_id, g.r * 9 / 10), (%(revenue)s, g.r - g.r * 9 / 10)
) AS v(account_id, amount)
WHERE v.amount <> 0;
INSERT INTO payments_splitline (transaction_id, order_ref, line_ref, line_kind, party, role, position, bps,
    carved, rule, fee_rule, agreement_version, amount, fee, currency, posted_at)
SELECT g.txn, 'b-' || g.i, 'line-' || g.i, 'product', v.party, v.role, v.pos, v.bps, false, 'agreement',
       'platform', 'agr:bench', -v.amount, 0, 'CNY', g.at
FROM gen g CROSS JOIN LATERAL (VALUES
    ('unit:' || g.unit_uid, 'unit', 0, 9000, g.r * 9 / 10),
    ('platform', 'platform', 1, 1000, g.r - g.r * 9 / 10)
) AS v(party, role, pos, bps, amount);
"""


def _catalog(listings: int) -> None:
    """200 active units of every type, each with its payable account; listings with one SKU each."""
    from django.db import connection

    from catalog.models import Listing, ListingVariant
    from catalog.taxonomy import CATEGORIES
    from payments.ledger_services import _account_ids
    from unit_onboarding.models import Unit, UnitType

    types, categories = list(UnitType.values), list(CATEGORIES)
    units = Unit.objects.bulk_create(
        Unit(display_name=f"Bench unit {n}", unit_type=types[n % len(types)], status=Unit.Status.ACTIVE)
        for n in range(200)
    )
    made = Listing.objects.bulk_create(
        Listing(
            unit=units[n % 200],
            name_zh=f"商品{n}",
            category=categories[n % len(categories)],
            product_type="wenchuang-goods",
            state=Listing.State.PUBLISHED if n % 2 else Listing.State.APPROVED,
        )
        for n in range(listings)
    )
    ListingVariant.objects.bulk_create(
        ListingVariant(listing=listing, sku=f"BENCH-{n}", price_fen=1000) for n, listing in enumerate(made)
    )
    accounts = _account_ids({("party_payable", u.party_key) for u in units})
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_listing "
            "(n int PRIMARY KEY, unit_id bigint, uid uuid, sku text, account_id bigint)"
        )
        cursor.executemany(
            "INSERT INTO bench_listing VALUES (%s, %s, %s, %s, %s)",
            [
                (n, listing.unit_id, u.uid, f"BENCH-{n}", accounts[("party_payable", u.party_key)])
                for n, listing in enumerate(made)
                for u in [units[n % 200]]
            ],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500_000)
    parser.add_argument("--listings", type=int, default=2_000)
    parser.add_argument("--refund-every", type=int, default=5)
    parser.add_argument("--buyer-every", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--db", default="wc_bureau_bench")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    with bench_database(args.db, keep=args.keep):
        from django.db import connection, transaction
        from django.utils import translation

        from payments.ledger_services import _account_ids
        from payments.settlement.stats import bureau_stats

        t0 = time.perf_counter()
        with transaction.atomic():
            _catalog(args.listings)
            system = _account_ids(
                {("stripe_clearing", ""), ("refunds", ""), ("platform_revenue", "platform")}
            )
        ids = {
            "clearing": system[("stripe_clearing", "")],
            "refunds": system[("refunds", "")],
            "revenue": system[("platform_revenue", "platform")],
        }
        for lo in range(0, args.orders, args.chunk):
            hi = min(lo + args.chunk, args.orders)
            params = {
                "lo": lo,
                "hi": hi,
                "start": START,
                "listings": args.listings,
                "every": args.refund_every,
                "buyer_every": args.buyer_every,
                **ids,
            }
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_ORDERS, params)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_REFUNDS, params)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT count(*) FROM payments_splitline")
            lines = cursor.fetchone()[0]
            cursor.execute(
                "SELECT sum(s.amount) FROM payments_splitline s JOIN payments_ledgertransaction t "
                "ON t.id = s.transaction_id WHERE t.posted_at >= %s AND t.posted_at < %s",
                [START, END],
            )
            expected = int(cursor.fetchone()[0])
        print(
            f"built {args.orders:,} projected orders and {lines:,} split lines through the triggers "
            f"in {time.perf_counter() - t0:.1f} s"
        )

        with translation.override("en"):
            t0 = time.perf_counter()
            stats = bureau_stats(start=START, end=END, currency="CNY")
            elapsed = time.perf_counter() - t0
        for table in (stats.by_unit, stats.by_type, stats.by_category):
            assert sum(v for months in table.values() for v in months.values()) == expected
        assert stats.sales == expected and "—" not in stats.by_category, stats.by_category.keys()
        print(
            f"bureau statistics for {START:%Y-%m} over {lines:,} split lines: {elapsed:.2f} s; "
            f"{len(stats.by_unit)} units, {len(stats.by_type)} unit types, {len(stats.by_category)} "
            f"categories, {stats.orders:,} orders, {stats.buyers:,} buyers, {stats.products:,} published "
            f"products; sales {stats.sales:,} fen = the ledger's product lines"
        )


if __name__ == "__main__":
    main()
