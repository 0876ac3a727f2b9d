"""Payout transparency: each order line's share, fee, net, refunds and when it is (to be) paid.

Real ledger postings and settlement batches; the figures and dates below are worked out by hand from the
`pay` helper (90% to the party, 10% to the platform, the fee pro rata) and settlement's window rule.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from core import clock
from orders.models import Order, OrderLine
from payments.ledger_services import payment_post
from payments.models import SplitLine
from payments.settlement import order_lines, services
from payments.settlement.periods import at_midnight
from payments.split import SaleLine
from tests.auth import login_verified
from tests.payments.sales import agreement, sale
from tests.payments.settlement.conftest import at, pay, refund
from tests.payments.settlement.test_console import platform_finance, unit_finance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Statuses are read in English here whatever language an earlier test left active."""
    with translation.override("en"):
        yield


OCT_NOV = "?start=2026-10-01&end=2026-12-01"


@pytest.fixture
def october(parties, finance_users, settings):
    """o-paid (Oct 3) settled and paid in October's batch; o-next (Oct 28) sold after its cutoff (Oct 25)."""
    settings.SETTLEMENT_RETURN_WINDOW_DAYS = 7
    settings.SETTLEMENT_PERIOD = "monthly"
    bank = parties["bank"]
    pay("o-paid", bank, 10_000, at(3, 10), fee=300)  # share 9,000, fee 270 (90% of 300)
    refund("o-paid", 2_000, at(10, 10))  # the party gives back 90%: 1,800
    pay("o-next", bank, 5_000, at(28, 10))  # share 4,500, no fee
    approver, executor = finance_users
    (batch,) = services.settlement_run(
        period_start=date(2026, 10, 1), period_end=date(2026, 11, 1), actor=approver, now=at(2, 11, 0)
    )
    assert batch.cutoff == at_midnight(date(2026, 10, 25)) and batch.amount == 9_000 - 270 - 1_800
    services.settlement_approve(batch_id=batch.pk, actor=approver)
    batch = services.settlement_execute(batch_id=batch.pk, actor=executor)
    return {"party": bank, "batch": batch, "finance": approver, **parties}


def lines_at(party, now, **kw):
    rows, more = order_lines.order_lines(
        party=party,
        currency="CNY",
        start=at_midnight(date(2026, 10, 1)),
        end=at_midnight(date(2026, 12, 1)),
        window_days=7,
        kind="monthly",
        now=now,
        **kw,
    )
    return {r["order_ref"]: r for r in rows}, more


def test_a_line_paid_in_a_batch_one_expected_next_period_and_one_held_in_the_window(october):
    party, batch = october["party"], october["batch"]
    pay("o-held", party, 20_000, at(17, 11))  # released Nov 24 12:00
    refund("o-paid", 1_000, at(18, 11))  # after its payout: the party gives back 900 from November's
    rows, more = lines_at(party, at(20, 11))
    assert not more and list(rows) == ["o-paid", "o-next", "o-held"]

    paid = rows["o-paid"]
    assert (paid["gross"], paid["bps"], paid["share"], paid["fee"]) == (10_000, 9000, 9_000, 270)
    assert (paid["net"], paid["refunds"], paid["balance"]) == (8_730, -2_700, 6_030)
    st = paid["settlement"]
    assert (st.code, st.batch, st.day) == ("paid", batch.pk, clock.today(batch.executed_at))
    assert st.text == f"paid in batch {batch.pk} ({clock.today(batch.executed_at)})"
    assert paid["refund_settlement"].text == (
        "refund to be deducted in the settlement of period 2026-11-01..2026-11-30, on 2026-12-01"
    )
    assert rows["o-next"]["refund_settlement"] is None

    # Oct 28 + 7 days = Nov 4: past the window at Nov 20, settled with November, proposed Dec 1
    nxt = rows["o-next"]["settlement"]
    assert (rows["o-next"]["share"], rows["o-next"]["net"], rows["o-next"]["refunds"]) == (4_500, 4_500, 0)
    assert (nxt.code, nxt.period, nxt.day) == (
        "expected",
        (date(2026, 11, 1), date(2026, 12, 1)),
        date(2026, 12, 1),
    )
    assert nxt.text == "expected in the settlement of period 2026-11-01..2026-11-30, on 2026-12-01"

    held = rows["o-held"]["settlement"]
    assert (rows["o-held"]["gross"], rows["o-held"]["share"]) == (20_000, 18_000)
    assert (held.code, held.held_until, held.day) == ("held", date(2026, 11, 24), date(2026, 12, 1))
    assert held.text.startswith("held in the return window until 2026-11-24; expected in the settlement")

    # and settlement itself agrees: the daily run of Dec 1 puts both in November's batch
    (nov,) = services.settlement_run(
        period_start=date(2026, 11, 1),
        period_end=date(2026, 12, 1),
        actor=october["finance"],
        now=at(1, 12, 1),
    )
    rows, _ = lines_at(party, at(1, 12, 2))
    assert {o: (r["settlement"].code, r["settlement"].batch) for o, r in rows.items()} == {
        "o-paid": ("paid", batch.pk),
        "o-next": ("awaiting_approval", nov.pk),
        "o-held": ("awaiting_approval", nov.pk),
    }
    assert (
        rows["o-paid"]["refund_settlement"].text
        == f"refund to be deducted in batch {nov.pk}, not yet executed"
    )
    assert nov.amount == 4_500 + 18_000 - 900


def test_a_proposed_batch_awaits_approval_and_what_it_left_out_waits_for_the_next_period(
    october, finance_users
):
    party = october["party"]
    pay("o-held", party, 20_000, at(27, 11))  # after November's cutoff (Nov 24): held back
    # November proposed once it has ended (Dec 1): its cutoff Nov 24 takes o-next (Oct 28), not o-held
    (nov,) = services.settlement_run(
        period_start=date(2026, 11, 1), period_end=date(2026, 12, 1), actor=finance_users[0], now=at(1, 12, 1)
    )
    rows, _ = lines_at(party, at(2, 12))
    assert (rows["o-next"]["settlement"].code, rows["o-next"]["settlement"].batch) == (
        "awaiting_approval",
        nov.pk,
    )
    assert rows["o-next"]["settlement"].text == f"in batch {nov.pk}, awaiting approval"
    assert rows["o-next"]["batch_nets"] == [(nov.pk, 4_500)]
    # released Dec 4, and November's batch exists: December's, proposed Jan 1
    held = rows["o-held"]["settlement"]
    assert (held.code, held.held_until, held.period, held.day) == (
        "held",
        date(2026, 12, 4),
        (date(2026, 12, 1), date(2027, 1, 1)),
        date(2027, 1, 1),
    )
    assert rows["o-held"]["batch_nets"] == []
    services.settlement_approve(batch_id=nov.pk, actor=finance_users[0])
    rows, _ = lines_at(party, at(2, 12))
    assert rows["o-next"]["settlement"].code == "awaiting_execution"


def test_weekly_periods_and_a_release_at_midnight():
    when = at(27, 11)  # a Friday; + 7 days = Friday Dec 4, in the week Nov 30 .. Dec 6, proposed Monday Dec 7
    st = order_lines.expected_settlement(
        sold_at=when, window_days=7, kind="weekly", last_period_end=None, now=at(28, 11)
    )
    assert (st.code, st.held_until, st.period, st.day) == (
        "held",
        date(2026, 12, 4),
        (date(2026, 11, 30), date(2026, 12, 7)),
        date(2026, 12, 7),
    )
    # released exactly at a period's end (midnight): that period's batch takes it (cutoff = end - window)
    st = order_lines.expected_settlement(
        sold_at=at_midnight(date(2026, 11, 23)),
        window_days=7,
        kind="weekly",
        last_period_end=None,
        now=at(28, 12),
    )
    assert st.period == (date(2026, 11, 23), date(2026, 11, 30)) and st.day == date(2026, 12, 28)


def test_pages_are_bounded_and_cost_two_queries_whatever_their_length(parties, django_assert_num_queries):
    # (and three statements around the first: its transaction's savepoint and release here, and its
    # transaction-local planner setting)
    for i in range(5):
        pay(f"o{i}", parties["bank"], 1_000 + i, at(1 + i, 11))
    # the lines with their batches and names, then the last batch
    with django_assert_num_queries(2 + 3):
        rows, more = lines_at(parties["bank"], at(20, 11))
    assert len(rows) == 5 and not more
    first, more = lines_at(parties["bank"], at(20, 11), per_page=2)
    assert list(first) == ["o0", "o1"] and more
    second, more = lines_at(parties["bank"], at(20, 11), per_page=2, after=_cursor(first, "o1"))
    assert list(second) == ["o2", "o3"] and more
    last, more = lines_at(parties["bank"], at(20, 11), per_page=2, after=_cursor(second, "o3"))
    assert list(last) == ["o4"] and not more
    # read backwards: the last page, then the one before it
    with django_assert_num_queries(2 + 3):
        end, more = lines_at(parties["bank"], at(20, 11), per_page=2, last=True)
    assert list(end) == ["o3", "o4"] and more  # more: pages precede it
    back, more = lines_at(parties["bank"], at(20, 11), per_page=2, before=_cursor(end, "o3"))
    assert list(back) == ["o1", "o2"] and more
    back, more = lines_at(parties["bank"], at(20, 11), per_page=2, before=_cursor(back, "o1"))
    assert list(back) == ["o0"] and not more


def _cursor(rows, order_ref):
    return order_lines.Cursor.parse(rows[order_ref]["cursor"])


def november_of(party: str) -> dict:
    """The party's order lines of November (CNY) as read on the 30th, settled monthly after a 7-day window."""
    return {
        "party": party,
        "currency": "CNY",
        "start": at_midnight(date(2026, 11, 1)),
        "end": at_midnight(date(2026, 12, 1)),
        "window_days": 7,
        "kind": "monthly",
        "now": at(30, 11),
    }


def test_keyset_pages_are_stable_with_ties_refunds_and_lines_posted_meanwhile(parties):
    # given orders in November: three paid at the same instant, one refunded later in the period,
    # and a sale of October refunded in November (a line keyed by its refund)
    bank = parties["bank"]
    pay("old", bank, 5_000, at(20, 10))
    for i in range(3):
        pay(f"tie{i}", bank, 1_000, at(2, 11))
    pay("two", bank, 2_000, at(3, 11))
    pay("late", bank, 3_000, at(4, 11))
    refund("late", 500, at(25, 11))
    refund("old", 1_000, at(5, 11))
    november = november_of(bank)

    def walk(per_page, **kw):
        seen, page, cursor = [], 0, None
        while True:
            rows, more = order_lines.order_lines(**november, per_page=per_page, after=cursor, **kw)
            seen += [(r["order_ref"], r["line_ref"]) for r in rows]
            page += 1
            if not more:
                return seen
            cursor = order_lines.Cursor.parse(rows[-1]["cursor"])

    # when the lines are read a page at a time, of any size, forwards
    everything = walk(100)
    # then each line is listed once, in order of its first posting in the period (ties by transaction)
    assert [ref for ref, _ in everything] == ["tie0", "tie1", "tie2", "two", "late", "old"]
    assert len(set(everything)) == len(everything)
    assert all(walk(n) == everything for n in (1, 2, 3, 4))
    # and backwards from the last page, the same lines in the same order
    for n in (1, 2, 4):
        rows, more = order_lines.order_lines(**november, per_page=n, last=True)
        got = [(r["order_ref"], r["line_ref"]) for r in rows]
        while more:
            rows, more = order_lines.order_lines(
                **november, per_page=n, before=order_lines.Cursor.parse(rows[0]["cursor"])
            )
            got = [(r["order_ref"], r["line_ref"]) for r in rows] + got
        assert got == everything
    # and a line posted after a page was read does not move the lines already listed
    first, _ = order_lines.order_lines(**november, per_page=3)
    pay("new", bank, 1_000, at(28, 11))
    assert walk(3)[:3] == [(r["order_ref"], r["line_ref"]) for r in first]
    assert walk(3)[-1] == ("new", "L1")


def _multi_line(order: str, party: str, n_lines: int, when) -> None:
    """A paid order of `n_lines` lines (L1..Ln) in one posting: they share its instant and transaction."""
    terms = agreement(
        version_id=f"agr:{party}:v1", shares=((party, "entity", 9000), ("platform", "platform", 1000))
    )
    lines = tuple(SaleLine(f"L{i}", 1_000 + i, terms, party) for i in range(1, n_lines + 1))
    payment_post(idempotency_key=f"payment:{order}", sale=sale(order_ref=order, lines=lines), posted_at=when)


def test_keyset_pages_neither_skip_nor_repeat_lines_of_one_posting_and_end_cleanly(parties):
    # given six lines at one instant in two postings (three lines each, ties on time and on transaction)
    # and two more lines a day later, all the bank's: 8 lines
    bank = parties["bank"]
    _multi_line("a", bank, 3, at(2, 11))
    _multi_line("b", bank, 3, at(2, 11))
    _multi_line("c", bank, 2, at(3, 11))
    november = november_of(bank)
    everything = _keys(order_lines.order_lines(**november, per_page=100)[0])
    assert everything == [("a", "L1"), ("a", "L2"), ("a", "L3"), ("b", "L1"), ("b", "L2"), ("b", "L3"),
                          ("c", "L1"), ("c", "L2")]  # fmt: skip
    for per_page in (1, 2, 3, 4, 8):
        # when read forwards a page at a time (8 lines: the last page is full when the size divides 8)
        got, rows, more, pages = [], [], True, 0
        while more:
            after = order_lines.Cursor.parse(rows[-1]["cursor"]) if rows else None
            rows, more = order_lines.order_lines(**november, per_page=per_page, after=after)
            assert len(rows) == (per_page if more else len(rows)) and rows
            got += _keys(rows)
            pages += 1
        # then every line comes once, in order, in as many pages as it takes and no empty one after
        assert got == everything and pages == -(-8 // per_page)
        # and past the last line there is nothing, and no more
        assert order_lines.order_lines(
            **november, per_page=per_page, after=order_lines.Cursor.parse(rows[-1]["cursor"])
        ) == ([], False)
        # and backwards from the last page, the same lines: the last page holds the last `per_page`
        last_page, more, got, rows = _read_backwards(november, per_page)
        assert last_page == everything[-per_page:] and more == (per_page < 8)
        assert got == everything
        assert order_lines.order_lines(
            **november, per_page=per_page, before=order_lines.Cursor.parse(rows[0]["cursor"])
        ) == ([], False)
    # and a party without lines in the period has one empty page, whichever way it is read
    october = {**november, "start": at_midnight(date(2026, 10, 1)), "end": at_midnight(date(2026, 11, 1))}
    assert order_lines.order_lines(**october) == ([], False)
    assert order_lines.order_lines(**october, last=True) == ([], False)
    assert order_lines.order_lines(**{**november, "party": parties["stripe"]}, last=True) == ([], False)


def _keys(rows: list[dict]) -> list[tuple[str, str]]:
    """The (order, line) keys of a page's rows, in its order."""
    return [(r["order_ref"], r["line_ref"]) for r in rows]


def _read_backwards(query: dict, per_page: int) -> tuple[list, bool, list, list]:
    """A party's lines read backwards a page at a time: the last page's keys, whether more came before it,
    every key in order, and the first page's rows."""
    rows, more = order_lines.order_lines(**query, per_page=per_page, last=True)
    last_page, more_before, got = _keys(rows), more, _keys(rows)
    while more:
        rows, more = order_lines.order_lines(
            **query, per_page=per_page, before=order_lines.Cursor.parse(rows[0]["cursor"])
        )
        got = _keys(rows) + got
    return last_page, more_before, got, rows


def test_a_month_ending_with_refunds_of_its_sales_pages_each_line_once_also_posted_out_of_order(parties):
    # given a month whose last days hold only refunds of lines sold in it (the reconcile bench's platform:
    # the last page passes over them on their index entries), a line sold at the period's very start and
    # refunded, and a line sold in October refunded twice in November, the later refund inserted first
    bank = parties["bank"]
    start, end = at_midnight(date(2026, 11, 1)), at_midnight(date(2026, 12, 1))
    pay("old", bank, 5_000, at(20, 10))
    pay("edge", bank, 3_000, start)
    for i in range(4):
        pay(f"s{i}", bank, 1_000 + i, at(2 + i, 11))
    for i in range(4):
        refund(f"s{i}", 100, at(27 + i % 3, 11, hour=10 + i))
    refund("edge", 100, at(29, 11))
    refund("old", 1_000, at(25, 11))
    refund("old", 1_000, at(8, 11))  # dated before the refund posted ahead of it
    # then each posting knows when its line's previous posting (inserted before it) was
    with connection.cursor() as db:
        db.execute(
            "SELECT order_ref, posted_at, NULLIF(prior_at, '-infinity') FROM payments_splitline "
            "WHERE party = %s ORDER BY order_ref, posted_at",
            [bank],
        )
        prior = {(ref, when): before for ref, when, before in db.fetchall()}
    assert prior[("old", at(20, 10))] is None and prior[("s0", at(2, 11))] is None
    assert prior[("s0", at(27, 11, hour=10))] == at(2, 11) and prior[("edge", at(29, 11))] == start
    assert prior[("old", at(25, 11))] == at(20, 10)
    assert prior[("old", at(8, 11))] == at(20, 10)  # the refund of Nov 25 came first: not before it
    # and the lines are keyed by their first posting in November, whatever the order of the inserts: the
    # October sale by its refund of Nov 8, never also by the one of Nov 25 (its previous posting, as
    # inserted, is in October)
    firsts: dict = {}
    for ln in SplitLine.objects.filter(party=bank, posted_at__gte=start, posted_at__lt=end):
        key = (ln.posted_at, ln.transaction_id, ln.line_ref)
        firsts[ln.order_ref, ln.line_ref] = min(firsts.get((ln.order_ref, ln.line_ref), key), key)
    everything = [line for line, _key in sorted(firsts.items(), key=lambda item: item[1])]
    assert [ref for ref, _line in everything] == ["edge", "s0", "s1", "s2", "s3", "old"]
    november = {"party": bank, "currency": "CNY", "start": start, "end": end, "window_days": 7}
    november |= {"kind": "monthly", "now": at(30, 11)}
    assert _keys(order_lines.order_lines(**november)[0]) == everything
    for per_page in (1, 2, 4, 6):
        # when read backwards from the last page
        last_page, more, got, _rows = _read_backwards(november, per_page)
        assert last_page == everything[-per_page:] and more == (per_page < 6)
        # then the same lines, each once
        assert got == everything
    # and the October sale's line shows both refunds, from its first posting in November
    (old,) = [r for r in order_lines.order_lines(**november, per_page=1, last=True)[0]]
    assert old["order_ref"] == "old" and old["first_at"] == at(8, 11) and old["refunds"] == -1_800


def test_the_page_links_to_the_next_and_previous_pages(client, parties, monkeypatch):
    monkeypatch.setattr(order_lines, "PAGE", 2)
    login_verified(client, platform_finance())
    for i in range(5):
        pay(f"o{i}", parties["bank"], 1_000 + i, at(1 + i, 11))
    url = reverse("finance:statement", args=[parties["bank"]]) + "?start=2026-11-01&end=2026-12-01"

    def page(query=""):
        html = client.get(url + query).content.decode()
        orders = [f"o{i}" for i in range(5) if f"order=o{i}" in html]
        links = {
            rel: href.replace("&amp;", "&").split("?", 1)[1]
            for href, rel in re.findall(r'<a href="([^"]+)" rel="(prev|next)"', html)
        }
        return orders, links

    first, links = page()
    assert first == ["o0", "o1"] and set(links) == {"next"}
    second, links = page("&" + links["next"].split("&", 2)[2])
    assert second == ["o2", "o3"] and set(links) == {"prev", "next"}
    back, back_links = page("&" + links["prev"].split("&", 2)[2])
    assert back == ["o0", "o1"] and set(back_links) == {"next"}
    third, links = page("&" + links["next"].split("&", 2)[2])
    assert third == ["o4"] and set(links) == {"prev"}
    assert page("&last=1") == (["o3", "o4"], {"prev": page("&last=1")[1]["prev"]})
    assert page("&after=garbage")[0] == ["o0", "o1"]  # not a cursor: the first page


def test_a_bad_cursor_shows_the_first_page():
    assert order_lines.Cursor.parse("2026-11-02T12:00:00+00:00~12~L1") is not None
    for bad in ("", "x", "2026-11-02~x~L1", "2026-11-02T12:00:00~12~L1", "nope~1~L1"):
        assert order_lines.Cursor.parse(bad) is None


def test_the_statement_page_and_export_show_each_lines_payout(client, october):
    party, batch = october["party"], october["batch"]
    sold = timezone.now() - timedelta(days=1)
    pay("o-recent", party, 3_000, sold)
    order = Order.objects.create(
        saleor_id="o-paid",
        number="1042",
        status="FULFILLED",
        currency="CNY",
        total=10_000,
        saleor_updated_at=at(3, 10),
    )
    OrderLine.objects.create(
        order=order,
        saleor_id="L1",
        product_name="青花瓷杯",
        quantity=1,
        undiscounted_total=10_000,
        total_net=10_000,
        currency="CNY",
    )
    login_verified(client, platform_finance())
    client.cookies["django_language"] = "en"
    page = client.get(reverse("finance:statement", args=[party]) + "?start=2026-10-01&end=2099-01-01")
    text = page.content.decode()
    assert page.status_code == 200
    for figure in ("100.00", "90.00", "2.70", "87.30", "-18.00"):  # o-paid's gross, share, fee, net, refunds
        assert f'class="num">{figure}<' in text, figure
    assert f"paid in batch {batch.pk} ({clock.today(batch.executed_at)})" in text
    assert (
        f"refund deducted in batch {batch.pk} ({clock.today(batch.executed_at)})" in text
    )  # Oct 10, same batch
    assert ">1042</a>" in text and "青花瓷杯" in text and ">o-next</a>" in text  # number and product if known
    assert f"held in the return window until {clock.today(sold + timedelta(days=7))}" in text

    client.cookies["django_language"] = "zh-hans"
    text = client.get(reverse("finance:statement", args=[party]) + OCT_NOV).content.decode()
    assert f"已在第 {batch.pk} 批结算中支付" in text and "毛额" in text

    zh_header = (
        client.get(reverse("finance:statement_export", args=[party, "csv"]) + OCT_NOV + "&lines=1")
        .content.decode("utf-8-sig")
        .splitlines()[0]
    )
    assert zh_header.startswith("订单号,") and "gross" not in zh_header  # the reader's language
    client.cookies["django_language"] = "en"
    csv_body = client.get(
        reverse("finance:statement_export", args=[party, "csv"]) + OCT_NOV + "&lines=1"
    ).content.decode("utf-8-sig")
    rows = {r["Saleor order"]: r for r in csv.DictReader(io.StringIO(csv_body))}
    assert {"o-paid", "o-next"} <= set(rows)  # and o-recent when today is in November
    paid = rows["o-paid"]
    amounts = ("Gross", "Share (bps)", "Share", "Fee", "Net", "Refunds", "Net after refunds")
    assert [paid[k] for k in amounts] == [
        "100.00",
        "9000",
        "90.00",
        "2.70",
        "87.30",
        "-18.00",
        "69.30",
    ]  # fmt: skip  (yuan, as the statement page shows them)
    assert (paid["Settlement"], paid["Batch"], paid["Settlement date"]) == (
        f"paid in batch {batch.pk} ({clock.today(batch.executed_at)})",
        str(batch.pk),
        clock.today(batch.executed_at).isoformat(),
    )
    sold_at = clock.local(at(3, 10)).strftime("%Y-%m-%d %H:%M")
    assert paid["Sold at (Beijing time)"] == sold_at or paid["Sold at (Beijing time)"].startswith("2026-10-")
    assert rows["o-next"]["Batch"] == ""  # not paid yet: an empty cell, never "None"
    xlsx = client.get(reverse("finance:statement_export", args=[party, "xlsx"]) + OCT_NOV + "&lines=1")
    assert xlsx.content[:2] == b"PK"
    assert (paid["Order number"], paid["Product"]) == ("1042", "青花瓷杯")
    assert (paid["Refund batch"], paid["Refund settlement"]) == (
        str(batch.pk),
        f"refund deducted in batch {batch.pk} ({clock.today(batch.executed_at)})",
    )
    pdf = client.get(reverse("finance:statement_export", args=[party, "pdf"]) + OCT_NOV + "&lines=1")
    assert pdf.content[:5] == b"%PDF-"


def test_another_units_finance_staff_cannot_see_the_lines(client, october):
    login_verified(client, unit_finance(october["stripe_unit"]))
    party = october["party"]  # the bank unit's operating entity
    assert client.get(reverse("finance:statement", args=[party]) + OCT_NOV + "&page=1").status_code == 404
    # a cursor (keyset page) changes nothing: another unit's party is still not found
    cursor = "2026-10-03T12:00:00+00:00~1~L1"
    for page in (f"&after={cursor}", f"&before={cursor}", "&last=1"):
        url = reverse("finance:statement", args=[party]) + OCT_NOV + page
        assert client.get(url).status_code == 404
    for fmt in ("csv", "xlsx", "pdf"):
        url = reverse("finance:statement_export", args=[party, fmt]) + OCT_NOV + "&lines=1"
        assert client.get(url).status_code == 404
    own = client.get(reverse("finance:statement", args=[october["stripe"]]) + OCT_NOV)
    assert own.status_code == 200 and "o-paid" not in own.content.decode()


def test_shipping_and_tax_lines_are_named_in_words():
    from django.utils import translation

    from payments.templatetags.finance import line_label

    with translation.override("zh-hans"):
        assert line_label({"line_ref": "shipping", "product_name": None}) == "运费"
        assert line_label({"line_ref": "shipping:tax", "product_name": None}) == "运费 · 税款"
        assert line_label({"line_ref": "TGluZTox:tax", "product_name": "铜镜纹杯垫"}) == "铜镜纹杯垫 · 税款"
    with translation.override("en"):
        assert line_label({"line_ref": "shipping", "product_name": None}) == "Shipping"
        assert line_label({"line_ref": "TGluZTox", "product_name": None}) == "TGluZTox"  # not projected
