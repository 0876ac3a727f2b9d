"""Tabular exports (CSV, XLSX) shared by the bank settlement file, statements and statistics."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import clock
from core.money import minor_format, minor_to_decimal
from payments.models import SettlementBatch
from payments.settlement import labels
from payments.settlement.selectors import bank_payee_check


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(_safe(row) for row in rows)
    return ("\ufeff" + out.getvalue()).encode()  # BOM: spreadsheet programs then read UTF-8 Chinese


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence], *, title: str = "export") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", "-", title)[:31])  # characters Excel refuses
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(_safe(row)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(row: Sequence) -> list:
    # a cell starting with = + - @ is a formula to a spreadsheet: neutralise text (numbers stay numbers)
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in row]


BANK_FILE_HEADER = (
    "batch",
    "party",
    "payee",
    "bank",
    "account",
    "amount_fen",
    "amount",
    "currency",
    "period_start",
    "period_end",
    "reference",
)


def bank_file_rows(batches: Iterable[SettlementBatch]) -> list[tuple]:
    """One row per executed bank batch: whom to pay, where, how much (fen and yuan), with a reference.

    The payee is the one frozen on the batch at proposal (what was approved), never the account on record
    now. A batch without bank details refuses the whole file (SettlementError): never a row that a bank
    cannot pay.
    """
    rows = []
    for batch in batches:
        payee = bank_payee_check(batch)
        rows.append(
            (
                batch.pk,
                batch.party,
                payee.name,
                payee.bank_name,
                payee.bank_account,
                batch.amount,
                minor_format(batch.amount, batch.currency),
                batch.currency,
                batch.period_start.isoformat(),
                batch.period_end.isoformat(),
                f"WC-SETTLE-{batch.pk}",
            )
        )
    return rows


LINES_LIMIT = 50_000  # an export is bounded like a page: one query, held in memory


def order_lines_header() -> list[str]:
    """The order-lines export's column names, in the reader's language."""
    return [
        _("Order number"),
        _("Product"),
        _("Sold at (Beijing time)"),
        _("Role"),
        _("Rule"),
        _("Share (bps)"),
        _("Gross"),
        _("Share"),
        _("Fee"),
        _("Net"),
        _("Refunds"),
        _("Net after refunds"),
        _("Settlement"),
        _("Batch"),
        _("Settlement period"),
        _("Settlement date"),
        _("Held until"),
        _("Refund settlement"),
        _("Refund batch"),
        _("Refund settlement date"),
        _("Paid by batches"),
        _("Saleor order"),
        _("Saleor line"),
    ]


def order_line_rows(lines: Iterable[dict], currency: str) -> list[tuple]:
    """A party's order lines (order_lines.order_lines) as a person reads them: amounts in yuan (numbers, two
    decimals), times and days in Asia/Shanghai, the order's number first (Saleor's ids last, for matching),
    the settlement as the sentence the console shows, then the same for the line's last refund, which is
    deducted from the payout of its own batch; last, what each batch pays of the line (`batch:amount`,
    from the batches' items: summed per batch they are its lines total)."""

    def money(minor):
        return "" if minor is None else minor_to_decimal(minor, currency)

    rows = []
    for ln in lines:
        st, rf = ln["settlement"], ln["refund_settlement"]
        rows.append(
            (
                ln["order_number"] or ln["order_ref"],
                ln["product_name"] or "",
                clock.local(ln["sold_at"]).strftime("%Y-%m-%d %H:%M") if ln["sold_at"] else "",
                labels.share_role(ln["role"]),
                labels.share_rule(ln["rule"]),
                "" if ln["bps"] is None else ln["bps"],
                money(ln["gross"]),
                money(ln["share"]),
                money(ln["fee"]),
                money(ln["net"]),
                money(ln["refunds"]),
                money(ln["balance"]),
                str(st.text),
                st.batch or "",
                f"{st.period[0]} ~ {st.period[1] - timedelta(days=1)}" if st.period else "",
                st.day.isoformat() if st.day else "",
                st.held_until.isoformat() if st.held_until else "",
                str(rf.text) if rf else "",
                (rf.batch or "") if rf else "",
                rf.day.isoformat() if rf and rf.day else "",
                " ".join(f"{batch}:{minor_format(net, currency)}" for batch, net in ln["batch_nets"]),
                ln["order_ref"],
                ln["line_ref"],
            )
        )
    return rows
