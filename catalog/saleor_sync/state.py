"""A listing's sync state machine: pending, syncing, done or failed (or diverged), kept on the listing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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
from catalog.tasks import sync_listing, sync_listings_bulk
from core import clock
from saleor_app.app_client import app_client
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorError

logger = logging.getLogger(__name__)
Sync = Listing.Sync


# Listing ids whose push was asked for inside sync_batch(): pushed together, in bulk.
_batch: ContextVar[list[int] | None] = ContextVar("catalog_sync_batch", default=None)


def listing_sync_request(*, listing_id: int) -> None:
    """Mark the listing as waiting and enqueue the push once the caller's transaction commits."""
    Listing.objects.filter(pk=listing_id).exclude(sync_status=Sync.DIVERGED).update(
        sync_status=Sync.PENDING, sync_requested_at=clock.now()
    )
    batch = _batch.get()
    if batch is not None:
        batch.append(listing_id)
        return
    transaction.on_commit(lambda: sync_listing.delay(listing_id))


@contextmanager
def sync_batch() -> Iterator[list[int]]:
    """Pushes asked for inside (an import, a review of many, seed_demo) go to Saleor together, in bulk.

    One task is enqueued at the end, once the surrounding transaction (if any) commits; a push asked for
    in a transaction rolled back meanwhile finds its listing unchanged, or gone, and does nothing wrong.
    """
    ids: list[int] = []
    token = _batch.set(ids)
    try:
        yield ids
    finally:
        _batch.reset(token)
        if ids:
            unique = list(dict.fromkeys(ids))
            transaction.on_commit(lambda: sync_listings_bulk.delay(unique))


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
def sync_begin(listing_id: int) -> Listing | str:
    """Mark the listing as being pushed and return it, or the status that means it is not pushed now."""
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
    return listing


def sync_failed(listing_id: int, reason: str) -> None:
    """Record why the push failed (the beat job tries again after its backoff)."""
    logger.warning("sync of listing %s failed: %s", listing_id, reason)
    Listing.objects.filter(pk=listing_id, sync_status=Sync.SYNCING).update(
        sync_status=Sync.FAILED, sync_error=reason[:2000]
    )


def sync_done(listing: Listing, updated_at: str, variants_updated_at: str) -> None:
    """Record what this push wrote as the baseline webhooks are compared with."""
    # The baseline is what this push wrote, whatever was asked meanwhile; a push asked for during this one
    # left the status pending and runs next.
    Listing.objects.filter(pk=listing.pk).exclude(sync_status=Sync.DIVERGED).update(
        synced_revision=listing.live_revision,
        synced_at=clock.now(),
        synced_fingerprint={
            **fingerprint(listing, listing.live_revision.content),
            "variants_updated_at": variants_updated_at,
        },
        saleor_updated_at=parse_datetime(updated_at),
    )
    Listing.objects.filter(pk=listing.pk, sync_status=Sync.SYNCING).update(
        sync_status=Sync.DONE, sync_error="", sync_attempts=0
    )


def _listing_sync_locked(listing_id: int, client: SaleorClient | None) -> str:
    listing = sync_begin(listing_id)
    if isinstance(listing, str):
        return listing
    try:
        client = client or app_client()
        listing_push(listing=listing, client=client)
        product_id = Listing.objects.values_list("saleor_product_id", flat=True).get(pk=listing.pk)
        state = product_state(client, product_id)
    except SaleorError as exc:
        sync_failed(listing_id, str(exc))
        raise
    sync_done(listing, state["updatedAt"], max((v["updatedAt"] for v in state["variants"]), default=""))
    return Sync.DONE
