"""A listing's sync state machine: pending, syncing, done or failed (or diverged), kept on the listing."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.utils.dateparse import parse_datetime

from catalog.models import Listing
from catalog.saleor_sync.errors import SyncBusy
from catalog.saleor_sync.locks import try_lock, unlock
from catalog.saleor_sync.product_push import (
    fingerprint,
    listing_push,
    product_state,
)
from catalog.tasks import sync_listing
from core import clock
from saleor_app.app_client import app_client
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorError

logger = logging.getLogger(__name__)
Sync = Listing.Sync


def listing_sync_request(*, listing_id: int) -> None:
    """Mark the listing as waiting and enqueue the push once the caller's transaction commits."""
    Listing.objects.filter(pk=listing_id).exclude(sync_status=Sync.DIVERGED).update(
        sync_status=Sync.PENDING, sync_requested_at=clock.now()
    )

    transaction.on_commit(lambda: sync_listing.delay(listing_id))


def listing_sync(*, listing_id: int, client: SaleorClient | None = None) -> str:
    """Push the listing's approved revision and its stock; record the outcome on the listing.

    One push per listing at a time (advisory lock); a push asked for meanwhile runs after it.
    """
    if not try_lock(listing_id):
        raise SyncBusy(f"listing {listing_id} is being pushed by another worker")
    try:
        return _listing_sync_locked(listing_id, client)
    finally:
        unlock(listing_id)


# A listing marked "changed in Saleor" (diverged) is not pushed until its operator decides which side wins
# (see catalog.saleor_changes).
def _listing_sync_locked(listing_id: int, client: SaleorClient | None) -> str:
    with transaction.atomic():
        listing = (
            Listing.objects.select_for_update(of=("self",))
            .select_related("unit", "live_revision")
            .get(pk=listing_id)
        )
        if listing.sync_status == Sync.DIVERGED:
            return Sync.DIVERGED
        if listing.live_revision is None:
            return Sync.IDLE
        listing.sync_status = Sync.SYNCING
        listing.sync_attempts = F("sync_attempts") + 1
        listing.sync_attempted_at = clock.now()
        listing.save(update_fields=["sync_status", "sync_attempts", "sync_attempted_at"])
    listing.refresh_from_db()
    try:
        client = client or app_client()
        listing_push(listing=listing, client=client)
        product_id = Listing.objects.values_list("saleor_product_id", flat=True).get(pk=listing.pk)
        state = product_state(client, product_id)
        updated_at = parse_datetime(state["updatedAt"])
        variants_updated_at = max((v["updatedAt"] for v in state["variants"]), default="")
    except SaleorError as exc:
        logger.warning("sync of listing %s failed: %s", listing_id, exc)
        Listing.objects.filter(pk=listing_id, sync_status=Sync.SYNCING).update(
            sync_status=Sync.FAILED, sync_error=str(exc)[:2000]
        )
        raise
    # The baseline webhooks are compared with is what this push wrote, whatever was asked meanwhile;
    # a push asked for during this one left the status pending and runs next.
    Listing.objects.filter(pk=listing_id).exclude(sync_status=Sync.DIVERGED).update(
        synced_revision=listing.live_revision,
        synced_at=clock.now(),
        synced_fingerprint={
            **fingerprint(listing, listing.live_revision.content),
            "variants_updated_at": variants_updated_at,
        },
        saleor_updated_at=updated_at,
    )
    Listing.objects.filter(pk=listing_id, sync_status=Sync.SYNCING).update(
        sync_status=Sync.DONE, sync_error="", sync_attempts=0
    )
    return Sync.DONE
