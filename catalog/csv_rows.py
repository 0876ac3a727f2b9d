"""Reading uploaded CSV files into rows, with errors that name the row and column."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000


@dataclass
class RowError:
    row: int  # 1-based line in the file, the header being line 1
    column: str
    message: str


@dataclass
class ImportResult:
    """What an import did or would do: rows accepted, errors per row. All or nothing unless `partial`
    (listings: each good product is created, each product with a bad row is refused)."""

    dry_run: bool
    created: int = 0
    updated: int = 0
    refused: int = 0
    partial: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class CsvUnreadable(ValueError):
    """The file is not a CSV this importer can read (encoding, size, missing columns)."""


def read_rows(data: bytes, *, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows as (line number, {column: stripped value}); UTF-8 with or without BOM, or GB18030."""
    if len(data) > MAX_CSV_BYTES:
        raise CsvUnreadable(_("the file is larger than %(mb)s MB") % {"mb": MAX_CSV_BYTES // (1024 * 1024)})
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CsvUnreadable(_("the file is neither UTF-8 nor GB18030 text"))
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    if missing := [c for c in required if c not in columns]:
        raise CsvUnreadable(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    rows = []
    for number, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            raise CsvUnreadable(_("more than %(rows)s rows") % {"rows": MAX_ROWS})
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        if any(row.values()):
            rows.append((number, row))
    return rows


def parse_bool(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "y", "是"}:
        return True
    if lowered in {"", "0", "false", "no", "n", "否"}:
        return False
    return None
