"""Database helpers: which constraint an IntegrityError broke (psycopg's diagnostics); batched redaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint (or unique index) the statement broke; None if the driver gave none."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def redact_in_batches(
    queryset: QuerySet,
    *,
    redact: Callable[[Model], None],
    fields: list[str],
    now: datetime,
    batch: int = 500,
) -> int:
    """Redact the rows of `queryset` not yet redacted, `batch` at a time (rows locked by another worker are
    skipped): `redact` blanks a row's personal fields, which are saved with `redacted_at`; how many were."""
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                queryset.select_for_update(skip_locked=True).filter(redacted_at=None).order_by("pk")[:batch]
            )
            for row in rows:
                redact(row)
                row.redacted_at = now
            queryset.model.objects.bulk_update(rows, [*fields, "redacted_at"])
        total += len(rows)
        if len(rows) < batch:
            return total
