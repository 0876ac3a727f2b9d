"""Advisory locks that keep two pushes of one listing from interleaving."""

from __future__ import annotations

from django.db import connection

# Namespace of the advisory locks that keep two pushes of one listing from interleaving.
LOCK_NAMESPACE = 4_704_001


def try_lock(listing_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, listing_id])
        return bool(cursor.fetchone()[0])


def unlock(listing_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, listing_id])
