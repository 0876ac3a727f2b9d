"""Tabular exports (CSV, XLSX) shared by the bank settlement file, statements and statistics."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import timedelta

from openpyxl import Workbook

from core.money import minor_format
from payments.models import SettlementBatch
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

ORDER_LINES_HEADER = (
    "order",
    "order_number",
    "line",
    "product",
    "sold_at",
    "role",
    "rule",
    "bps",
    "gross",
    "share",
    "fee",
    "net",
    "refunds",
    "net_after_refunds",
    "settlement",
    "batch",
    "settlement_period_start",
    "settlement_period_end",
    "settlement_date",
    "held_until",
    "settlement_note",
    "refund_settlement",
    "refund_batch",
    "refund_settlement_date",
    "refund_note",
    "paid_by_batches",
)


def order_line_rows(lines: Iterable[dict]) -> list[tuple]:
    """A party's order lines (order_lines.order_lines) as rows: figures in fen, the settlement status
    as a code, its batch, period and date, and the same sentence the console shows; then the same for
    the line's last refund, which is deducted from the payout of its own batch; last, what each batch
    pays of the line (`batch:fen`, from the batches' items: summed per batch they are its lines total)."""
    rows = []
    for ln in lines:
        st, rf = ln["settlement"], ln["refund_settlement"]
        rows.append(
            (
                ln["order_ref"],
                ln["order_number"] or "",
                ln["line_ref"],
                ln["product_name"] or "",
                ln["sold_at"].isoformat() if ln["sold_at"] else "",
                ln["role"] or "",
                ln["rule"] or "",
                ln["bps"],
                ln["gross"],
                ln["share"],
                ln["fee"],
                ln["net"],
                ln["refunds"],
                ln["balance"],
                st.code,
                st.batch,
                st.period[0].isoformat() if st.period else "",
                (st.period[1] - timedelta(days=1)).isoformat() if st.period else "",
                st.day.isoformat() if st.day else "",
                st.held_until.isoformat() if st.held_until else "",
                st.text,
                rf.code if rf else "",
                rf.batch if rf else None,
                rf.day.isoformat() if rf and rf.day else "",
                rf.text if rf else "",
                " ".join(f"{batch}:{net}" for batch, net in ln["batch_nets"]),
            )
        )
    return rows
