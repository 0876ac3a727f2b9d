"""Database refusals read by name: which constraint an IntegrityError broke, from psycopg's diagnostics."""

from __future__ import annotations

from django.db import IntegrityError


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint (or unique index) the statement broke; None if the driver gave none."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)
