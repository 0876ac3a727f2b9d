"""The read query of the beat job: listings whose push is due again."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q

from catalog.models import Listing
from core import clock
from core.retry import CATALOG_SYNC_RETRY

Sync = Listing.Sync


def listings_due_for_sync(*, limit: int = 50) -> list[int]:
    """Beat job: pushes whose enqueue was lost, failed ones past their backoff, and abandoned ones."""
    now = clock.now()
    lost = Q(sync_status=Sync.PENDING, sync_requested_at__lt=now - timedelta(minutes=2)) & (
        Q(sync_attempted_at__isnull=True) | Q(sync_attempted_at__lt=F("sync_requested_at"))
    )
    abandoned = Q(sync_status=Sync.SYNCING, sync_attempted_at__lt=now - timedelta(minutes=15))
    due = Q(sync_status=Sync.FAILED) & CATALOG_SYNC_RETRY.due(
        now=now, attempts_field="sync_attempts", at_field="sync_attempted_at"
    )
    return list(
        Listing.objects.filter(lost | abandoned | due)
        .exclude(live_revision=None)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
