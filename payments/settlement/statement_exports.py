"""A party's statement as a file (CSV, XLSX, PDF): built at once when small, by the worker when big.

One builder (`statement_file`) makes both: the request's download and the worker's file are the same bytes for
the same ledger and clock. Only the order lines can be big; the statement's own row is one row. "Big" is a
bounded probe of the party's postings in the period (`lines_are_few`), never a count of a large party.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import translation
from django.utils.translation import gettext as _

from core import clock
from core.money import minor_to_decimal
from payments.error_codes import SettlementError, SettlementErrorCode
from payments.models import StatementExport
from payments.settlement import exports, order_lines, pdf, selectors, statements
from payments.settlement.periods import at_midnight
from payments.settlement.tasks import statement_export_job

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
READ_PAGE = 1000  # order lines read per query by the worker (keyset pages: each costs what it holds)

# Whether the party has at most %(few)s postings in the period: at most few + 1 index entries read (a split
# line's posted_at is its transaction's, checked at insert: no transaction is read; on the statement page a
# join to each was as dear as the page's lines).
_FEW = """
SELECT count(*) <= %(few)s FROM (
    SELECT 1 FROM payments_splitline s
    WHERE s.party = %(party)s AND s.currency = %(currency)s AND s.posted_at >= %(start)s
      AND s.posted_at < %(end)s
    LIMIT %(few)s + 1
) x
"""
# The order lines of the party with a posting in the period: the worker's total, counted once per run.
_COUNT = """
SELECT count(*) FROM (
    SELECT DISTINCT s.order_ref, s.line_ref
    FROM payments_splitline s JOIN payments_ledgertransaction t ON t.id = s.transaction_id
    WHERE s.party = %(party)s AND s.currency = %(currency)s AND t.posted_at >= %(start)s
      AND t.posted_at < %(end)s
) x
"""


def _params(party: str, start: date, end: date) -> dict:
    return {
        "party": party,
        "currency": settings.SETTLEMENT_CURRENCY,
        "start": at_midnight(start),
        "end": at_midnight(end),
    }


def lines_are_few(*, party: str, start: date, end: date) -> bool:
    """Whether the period's order lines export is small enough to build inside a request: at most
    STATEMENT_EXPORT_INLINE_LINES postings (a line has at least one, so as many lines at most)."""
    with connection.cursor() as db:
        db.execute(_FEW, {**_params(party, start, end), "few": settings.STATEMENT_EXPORT_INLINE_LINES})
        return bool(db.fetchone()[0])


def lines_count(*, party: str, start: date, end: date) -> int:
    with connection.cursor() as db:
        db.execute(_COUNT, _params(party, start, end))
        return int(db.fetchone()[0])


@dataclass(frozen=True)
class StatementFile:
    data: bytes
    filename: str
    content_type: str


def _summary(party: str, start: date, end: date) -> tuple[list, list]:
    cur = settings.SETTLEMENT_CURRENCY
    found = statements.statements(
        start=at_midnight(start), end=at_midnight(end), currency=cur, parties={party}
    )
    header = [
        _("Party"),
        _("Account"),
        _("Opening"),
        _("Sales"),
        _("Released"),
        _("Fees"),
        _("Refunds"),
        _("Design call awards"),
        _("Payouts"),
        _("Closing"),
    ]
    names = selectors.party_names([x.party for x in found])
    rows = [
        (
            names[x.party],  # the name people read (a campaign's title), then the ledger's key
            x.party,
            *(
                minor_to_decimal(v, cur)
                for v in (x.opening, x.sales, x.released, x.fees, x.refunds, x.awards, x.payouts, x.closing)
            ),
        )
        for x in found
    ]
    return header, rows


def _lines(party: str, start: date, end: date, *, now: datetime, read: Callable[[int], None] | None) -> list:
    """Every order line of the party in the period, page by page (keyset), as the export's rows."""
    rows: list = []
    after = None
    while True:
        page, more = order_lines.statement_order_lines(
            party, start, end, now=now, after=after, per_page=READ_PAGE
        )
        rows += exports.order_line_rows(page, settings.SETTLEMENT_CURRENCY)
        if read is not None:
            read(len(page))
        if not more or not page:
            return rows
        after = order_lines.Cursor.parse(page[-1]["cursor"])


def statement_file(
    *,
    party: str,
    start: date,
    end: date,
    fmt: str,
    lines: bool,
    now: datetime,
    read: Callable[[int], None] | None = None,
    written: Callable[[int], None] | None = None,
) -> StatementFile:
    """The statement (its one row, or every order line) of `party` for [start, end) as a CSV, XLSX or PDF:
    amounts in yuan, headers in the current language, times in Beijing time. `read` and `written` are told
    how many lines were read and written as the work goes (the worker's progress)."""
    if lines:
        rows = _lines(party, start, end, now=now, read=read)
        header = exports.order_lines_header()
    else:
        header, rows = _summary(party, start, end)
    name = selectors.party_names([party])[party]
    title = _("Statement of %(party)s") % {"party": f"{name} ({party})"}
    subtitle = _("%(start)s to %(end)s, amounts in %(currency)s") % {
        "start": start,
        "end": end - timedelta(days=1),
        "currency": settings.SETTLEMENT_CURRENCY,
    }
    if fmt == "csv":
        data = exports.csv_bytes(header, _counted(rows, written))
    elif fmt == "xlsx":
        data = exports.xlsx_bytes(header, _counted(rows, written), title=title)
    else:
        data = pdf.table_pdf(title=title, subtitle=subtitle, header=header, rows=rows, written=written)
    filename = f"statement-{party.replace(':', '-')}-{start}{'-lines' if lines else ''}.{fmt}"
    return StatementFile(data, filename, CONTENT_TYPES[fmt])


def _counted(rows: list, written: Callable[[int], None] | None, every: int = READ_PAGE):
    """The rows, telling `written` every `every` rows (and at the end) how many more were written."""
    if written is None:
        yield from rows
        return
    for n, row in enumerate(rows, 1):
        yield row
        if n % every == 0:
            written(every)
    if len(rows) % every:
        written(len(rows) % every)


def statement_export_request(
    *, party: str, start: date, end: date, fmt: str, lines: bool, actor
) -> StatementExport:
    """Ask the worker for the file; the caller has checked that `actor` may see the party's statement."""
    if end <= start:
        raise SettlementError(SettlementErrorCode.BAD_PERIOD, _("The period must end after it starts."))
    job = StatementExport.objects.create(
        party=party,
        currency=settings.SETTLEMENT_CURRENCY,
        period_start=start,
        period_end=end,
        fmt=fmt,
        lines=lines,
        language=translation.get_language() or "",
        requested_by=actor,
        requested_at=clock.now(),
    )
    transaction.on_commit(lambda: statement_export_job.delay(job.pk))
    return job


def statement_export_retry(*, export: StatementExport) -> StatementExport:
    """Build a stopped export again from the start (nothing but its file depends on a run); refused
    unless it stopped."""
    updated = StatementExport.objects.filter(pk=export.pk, state=StatementExport.State.FAILED).update(
        state=StatementExport.State.QUEUED, error="", read=0, written=0
    )
    if not updated:
        raise SettlementError(
            SettlementErrorCode.EXPORT_NOT_STOPPED, _("This export has not stopped: it cannot be run again.")
        )
    transaction.on_commit(lambda: statement_export_job.delay(export.pk))
    export.refresh_from_db()
    return export


def statement_export_run(*, export_id: int) -> str:
    """The worker's run: count, read and write the lines (progress on the row), keep the file, then done.

    Run again (a retry, or the task redelivered after a worker died) it starts over: only the file it keeps
    at the end depends on it, and a finished export is never built twice."""
    with transaction.atomic():
        job = StatementExport.objects.select_for_update(skip_locked=True).filter(pk=export_id).first()
        if job is None or job.state == StatementExport.State.DONE:
            return "nothing to do"
        total = lines_count(party=job.party, start=job.period_start, end=job.period_end) if job.lines else 1
        job.state, job.total, job.read, job.written = StatementExport.State.RUNNING, total, 0, 0
        job.started_at, job.error = clock.now(), ""
        job.save(update_fields=["state", "total", "read", "written", "started_at", "error"])
    rows = StatementExport.objects.filter(pk=job.pk)

    def read(n: int) -> None:
        rows.update(read=F("read") + n, total=_at_least(F("read") + n))

    def written(n: int) -> None:
        rows.update(written=F("written") + n, total=_at_least(F("written") + n))

    try:
        with translation.override(job.language or None):  # headers and texts in the asker's language
            made = statement_file(
                party=job.party,
                start=job.period_start,
                end=job.period_end,
                fmt=job.fmt,
                lines=job.lines,
                now=clock.now(),
                read=read if job.lines else None,
                written=written if job.lines else None,
            )
        job.refresh_from_db()
        if job.file:
            job.file.delete(save=False)  # an earlier run's file (a crash after saving it)
        job.file.save(f"{job.uid}/{made.filename}", ContentFile(made.data), save=False)
    except Exception as exc:
        rows.update(
            state=StatementExport.State.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=clock.now()
        )
        raise
    rows.update(
        state=StatementExport.State.DONE,
        file=job.file.name,
        filename=made.filename,
        size=len(made.data),
        read=F("total"),
        written=F("total"),
        finished_at=clock.now(),
    )
    return f"{job.total} lines, {len(made.data)} bytes"


def _at_least(expression):
    """The row's total, raised to `expression` should the ledger have grown since it was counted (lines
    posted during the run): what is done never exceeds the total."""
    return Greatest(F("total"), expression)
