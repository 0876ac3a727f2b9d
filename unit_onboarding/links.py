"""Signed links that name one row (an invitation, a designer claim): its pk and its nonce, under a salt."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core import signing
from django.db.models import Model, QuerySet

from core import clock


def row_token(row: Model, salt: str) -> str:
    return signing.dumps({"i": row.pk, "n": row.nonce}, salt=salt)


def row_from_token(rows: QuerySet, token: str, salt: str) -> Model | None:
    """The row the link names (whatever its state), or None for a forged or mangled link."""
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    row = rows.filter(pk=data.get("i")).first()
    if row is None or not secrets.compare_digest(row.nonce, str(data.get("n", ""))):
        return None
    return row


def link_open(row: Model, pending: str, now: datetime | None = None) -> bool:
    """A link works while its row is pending and before it expires (by the business clock)."""
    return row.status == pending and row.expires_at > (now or clock.now())
