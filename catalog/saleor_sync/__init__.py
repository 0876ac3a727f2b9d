"""Push a listing's approved revision to Saleor, idempotently; nothing unapproved ever leaves this service."""

from catalog.saleor_sync.bulk_push import listings_sync_bulk
from catalog.saleor_sync.due import listings_due_for_sync
from catalog.saleor_sync.editorjs import editorjs, editorjs_text
from catalog.saleor_sync.errors import SyncBusy, SyncNotPossible
from catalog.saleor_sync.product_push import fingerprint, listing_push, product_metadata
from catalog.saleor_sync.state import listing_sync, listing_sync_request, sync_batch
from catalog.saleor_sync.taxonomy_push import attributes_input

__all__ = [
    "SyncBusy",
    "SyncNotPossible",
    "attributes_input",
    "editorjs",
    "editorjs_text",
    "fingerprint",
    "listing_push",
    "listing_sync",
    "listing_sync_request",
    "listings_due_for_sync",
    "listings_sync_bulk",
    "product_metadata",
    "sync_batch",
]
