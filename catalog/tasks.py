"""Celery tasks of the catalog: thin wrappers over services (imported inside: services enqueue tasks)."""

from __future__ import annotations

from celery import shared_task

from saleor_app.errors import SaleorError, SaleorNotInstalled

PROCESS_RETRIES = 5


@shared_task(bind=True, acks_late=True, max_retries=PROCESS_RETRIES)
def process_image_asset(self, asset_id: int) -> str:
    """Decode and derive an uploaded image; storage or database trouble is retried, then recorded."""
    from catalog import services

    try:
        return services.image_asset_process(asset_id=asset_id)
    except Exception as exc:
        if self.request.retries >= PROCESS_RETRIES:
            services.image_asset_fail(asset_id=asset_id, reason=f"{type(exc).__name__}: {exc}")
            return "failed"
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 2)) from exc


SYNC_RETRIES = 5


@shared_task(bind=True, acks_late=True, max_retries=SYNC_RETRIES)
def sync_listing(self, listing_id: int) -> str:
    """Push a listing to Saleor; outages are retried with backoff, then left to the beat job."""
    from catalog.saleor_sync import SyncNotPossible, listing_sync

    try:
        return listing_sync(listing_id=listing_id)
    except (SyncNotPossible, SaleorNotInstalled) as exc:
        return f"not possible yet: {exc}"
    except SaleorError as exc:
        if self.request.retries >= SYNC_RETRIES:
            return "failed"
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 2)) from exc


@shared_task(acks_late=True)
def sync_listings_bulk(listing_ids: list[int]) -> str:
    """Push listings approved together in bulk; a failed one is retried alone by the beat job."""
    from catalog.saleor_sync import SyncNotPossible, listings_sync_bulk

    try:
        outcomes = listings_sync_bulk(listing_ids=listing_ids)
    except (SyncNotPossible, SaleorNotInstalled) as exc:
        return f"not possible yet: {exc}"
    done = sum(1 for outcome in outcomes.values() if outcome == "done")
    return f"{done} of {len(listing_ids)} pushed"


@shared_task(bind=True, acks_late=True, max_retries=3)
def run_listing_import(self, import_id: int) -> str:
    """Run a CSV import of listings; after a crash it resumes without creating a product twice."""
    from catalog.imports import listings_import_run

    try:
        return listings_import_run(import_id=import_id)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 2)) from exc


@shared_task
def sync_due_listings() -> int:
    """Beat job: listings whose push failed or whose enqueue was lost are pushed again."""
    from catalog.saleor_sync import listings_due_for_sync

    ids = listings_due_for_sync()
    for listing_id in ids:
        sync_listing.delay(listing_id)
    return len(ids)


@shared_task
def unpublish_expired_licences() -> int:
    """Beat job: products whose IP licence has expired are taken off sale."""
    from catalog.provenance import listings_unpublish_expired

    return listings_unpublish_expired()
