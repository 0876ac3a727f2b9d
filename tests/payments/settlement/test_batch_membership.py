"""Batches that prove themselves: a batch pays exactly the split lines frozen in its items at proposal, and
its total, its page, the party's statement, the lines export and the bank file all come from those items.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from payments.error_codes import SettlementError, SettlementErrorCode
from payments.models import SettlementBatch, SettlementBatchItem, SplitLine
from payments.settlement import selectors, services
from tests.auth import login_verified
from tests.payments.settlement.conftest import at, pay, refund
from tests.payments.settlement.test_console import platform_finance

pytestmark = pytest.mark.django_db

NOV = (date(2026, 11, 1), date(2026, 12, 1))
DEC = (date(2026, 12, 1), date(2027, 1, 1))
EVERYTHING = "?start=2026-10-01&end=2027-03-01"


def _run(actor, period, now):
    return {
        b.party: b
        for b in services.settlement_run(period_start=period[0], period_end=period[1], actor=actor, now=now)
    }


def _money(text: str) -> int:
    """Fen from a figure as the pages print it (1,234.56 or -0.90)."""
    sign = -1 if text.strip().startswith("-") else 1
    digits = re.sub(r"[^\d]", "", text)
    return sign * int(digits)


def test_a_run_for_a_period_that_has_not_ended_in_beijing_is_refused(parties, finance_users, settings):
    # given a sale in November; November ends at midnight Beijing time, 16:00 UTC on 30 November
    settings.SETTLEMENT_RETURN_WINDOW_DAYS = 0
    pay("o1", parties["bank"], 10_000, at(2))

    # when November is run one minute before its end, then at its end
    with pytest.raises(SettlementError) as refused, translation.override("en"):
        _run(finance_users[0], NOV, now=datetime(2026, 11, 30, 15, 59, tzinfo=UTC))
    made = _run(finance_users[0], NOV, now=datetime(2026, 11, 30, 16, 0, tzinfo=UTC))

    # then the early run is refused with a clear message and proposes nothing; the one at the end does
    assert refused.value.code == SettlementErrorCode.PERIOD_NOT_ENDED
    assert "2026-11-01 .. 2026-11-30 has not ended yet" in str(refused.value)
    assert made[parties["bank"]].amount == 9_000
    assert SettlementBatch.objects.count() == 1


def test_a_run_overlapping_a_period_already_settled_is_refused_and_proposes_nothing(parties, finance_users):
    # given November settled for a party, and sales in December
    maker = finance_users[0]
    pay("o1", parties["bank"], 10_000, at(2))
    nov = _run(maker, NOV, now=at(2, 12))[parties["bank"]]
    pay("o2", parties["stripe"], 10_000, at(3, 12))

    # when a period overlapping November is run (mid-November to mid-December)
    with pytest.raises(SettlementError) as refused, translation.override("en"):
        _run(maker, (date(2026, 11, 15), date(2026, 12, 15)), now=at(20, 12))

    # then it is refused, naming the batch it overlaps, and nothing is proposed for anyone
    assert refused.value.code == SettlementErrorCode.PERIOD_OVERLAP
    assert f"already settled for {parties['bank']} (batch {nov.pk})" in str(refused.value)
    assert list(SettlementBatch.objects.values_list("pk", flat=True)) == [nov.pk]

    # and the same period again is no overlap: it returns the batches it made
    assert _run(maker, NOV, now=at(3, 12))[parties["bank"]].pk == nov.pk


def test_the_database_keeps_a_line_out_of_a_second_live_batch_and_overlapping_periods_out(
    parties, finance_users
):
    # given a proposed batch holding a line
    maker = finance_users[0]
    pay("o1", parties["bank"], 10_000, at(2))
    nov = _run(maker, NOV, now=at(2, 12))[parties["bank"]]
    line = SplitLine.objects.get(order_ref="o1", party=parties["bank"])
    fields = {
        "party": parties["bank"],
        "currency": "CNY",
        "cutoff": nov.cutoff,
        "method": "bank",
        "created_by": maker,
        "window_total": 9_000,
        "amount": 9_000,
    }

    # when code past the service puts that line in another batch, or proposes an overlapping period
    with pytest.raises(IntegrityError, match="settlement_item_line_once"), transaction.atomic():
        other = SettlementBatch.objects.create(
            period_start=date(2026, 12, 1), period_end=date(2027, 1, 1), status="carried", **fields
        )
        SettlementBatchItem.objects.create(batch=other, split_line=line, amount=9_000)
    with pytest.raises(IntegrityError, match="overlaps batch"), transaction.atomic():
        SettlementBatch.objects.create(
            period_start=date(2026, 11, 15), period_end=date(2026, 12, 15), **fields
        )
    # or a batch whose total is not its items' (checked at commit)
    with pytest.raises(IntegrityError, match="its items sum to"), transaction.atomic():
        SettlementBatch.objects.create(
            period_start=date(2027, 1, 1), period_end=date(2027, 2, 1), status="carried", **fields
        )
        with transaction.get_connection().cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    # then the database refused each; the line is in one batch
    held_by = SettlementBatchItem.objects.filter(split_line=line).values_list("batch", flat=True)
    assert list(held_by) == [nov.pk]


def test_batch_page_statement_lines_export_and_bank_file_reconcile_after_refunds_and_late_orders(
    client, parties, finance_users, settings
):
    # given a bank-paid party with sales, a fee, refunds before and after November's payout, and a "late"
    # order: paid on 20 November but posted only after November's batch was proposed
    settings.SETTLEMENT_RETURN_WINDOW_DAYS = 7
    party = parties["bank"]
    maker, checker = finance_users
    pay("a", party, 10_000, at(3), fee=300)  # net 8,730
    pay("b", party, 5_000, at(10))  # 4,500
    refund("b", 1_000, at(12))  # -900
    pay("c", party, 3_000, at(27))  # inside the return window at November's end: held back
    nov = _run(maker, NOV, now=at(2, 12))[party]
    pay("late", party, 6_000, at(20))  # back-dated: before November's cutoff, posted after its proposal
    services.settlement_approve(batch_id=nov.pk, actor=maker)
    services.settlement_execute(batch_id=nov.pk, actor=checker)
    refund("a", 2_000, at(5, 12))  # after November's payout: -1,800 in December
    pay("d", party, 1_000, at(6, 12))  # 900
    dec = _run(maker, DEC, now=at(2, 1, year=2027))[party]
    services.settlement_approve(batch_id=dec.pk, actor=maker)
    services.settlement_execute(batch_id=dec.pk, actor=checker)
    batches = {b.pk: SettlementBatch.objects.get(pk=b.pk) for b in (nov, dec)}

    # then November's batch is its lines, not the late order; December takes the late order
    assert nov.amount == 8_730 + 4_500 - 900
    assert dec.amount == 3_000 * 9 // 10 + 6_000 * 9 // 10 - 1_800 + 900

    login_verified(client, platform_finance())
    client.cookies["django_language"] = "en"
    # and each batch's page lists lines that add up to its total, and says so
    for pk, batch in batches.items():
        page = client.get(reverse("finance:batch", args=[pk])).content.decode()
        table = page.split('id="batch-lines">')[1].split("</table>")[0]
        nets = [_money(cell) for cell in re.findall(r'<td class="num">([^<]*)</td></tr>', table)]
        assert sum(nets) == batch.window_total == batch.amount, pk
        assert _money(page.split('id="amount">')[1].split("<")[0]) == batch.amount

    # and the bank file pays each batch its total
    body = client.get(reverse("finance:bank_file", args=["csv"])).content.decode("utf-8-sig")
    filed = {int(r["batch"]): int(r["amount_fen"]) for r in csv.DictReader(io.StringIO(body))}
    assert filed == {pk: b.amount for pk, b in batches.items()}

    # and the lines export attributes to each batch exactly what it pays, line by line
    export = client.get(
        reverse("finance:statement_export", args=[party, "csv"]) + EVERYTHING + "&lines=1"
    ).content.decode("utf-8-sig")
    rows = {r["Saleor order"]: r for r in csv.DictReader(io.StringIO(export))}
    per_batch = defaultdict(Decimal)
    for row in rows.values():
        for pair in row["Paid by batches"].split():
            batch, net = pair.split(":")
            per_batch[int(batch)] += Decimal(net)  # yuan, two decimals: sums exactly
    assert {pk: int(v * 100) for pk, v in per_batch.items()} == {
        pk: b.window_total for pk, b in batches.items()
    }

    # and "paid in batch N" is said of a sale exactly when batch N's items hold it
    sold_in = {
        ln["order_ref"]: pk
        for pk, b in batches.items()
        for ln in selectors.batch_lines(b)
        if ln["kind"] == "payment"
    }
    assert sold_in == {"a": nov.pk, "b": nov.pk, "c": dec.pk, "late": dec.pk, "d": dec.pk}
    assert {order: int(r["Batch"]) for order, r in rows.items()} == sold_in
    assert rows["a"]["Refund batch"] == str(dec.pk) and rows["b"]["Refund batch"] == str(nov.pk)
    statement = client.get(reverse("finance:statement", args=[party]) + EVERYTHING).content.decode()
    for order, pk in sold_in.items():
        row = statement.split(f'&order={order}">')[1].split("</tr>")[0]
        assert f"paid in batch {pk} (" in row, order
