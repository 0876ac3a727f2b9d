"""Database helpers: which constraint an IntegrityError broke (psycopg's diagnostics); session locks;
batched redaction; a hot statement prepared by PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

import psycopg
from django.db import IntegrityError, connection, transaction
from django.db.models import Model, QuerySet


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint (or unique index) the statement broke; None if the driver gave none."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


@contextmanager
def session_lock(key: str) -> Iterator[bool]:
    """Try PostgreSQL's session advisory lock named `key`: True while held here, False if another has it."""
    # Held across transactions and freed at once if the process dies (its connection ends): a redelivered
    # task takes over from a killed one but never runs beside a live one.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [key])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])


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


_hot = threading.local()  # each thread has its own Django connection, hence its own cursor


def fetch_one_prepared(sql: str, params: Sequence[object]) -> tuple | None:
    """Run one hot statement (placeholders `%s`) bound and prepared by PostgreSQL, return its first row.

    For the webhook intakes' INSERT: no client-side quoting of the parameters and no parse and plan per
    call (Django's cursors quote in Python, and never prepare). Django's connection, transaction (or its
    autocommit) and exception classes (django.db.DataError…); not in Django's query log.
    """
    connection.validate_no_broken_transaction()
    connection.ensure_connection()
    raw = connection.connection
    # One cursor kept per connection: opening one a call cost about a quarter of the statement's client CPU
    # (an intake INSERT 48-67 us with a new cursor, 37-48 kept; measured beside bench/webhook_intake.py).
    cursor = getattr(_hot, "cursor", None)
    if cursor is None or cursor.connection is not raw:
        cursor = _hot.cursor = psycopg.Cursor(raw)
    with connection.wrap_database_errors:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()
