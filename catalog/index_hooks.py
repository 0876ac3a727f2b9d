"""Who keeps a copy of listings for buyers (the storefront's search index) is told of each change, in the
transaction that makes it: a product is findable the moment it is on sale, and gone the moment it is not.

Named by dotted path, as saleor_app.handlers names its handlers: the catalog imports no layer above it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.module_loading import import_string

from catalog.models import Listing

# Each is called as f(listing_ids=[...]) inside the caller's transaction; an error rolls the change back.
LISTING_INDEXERS = ["search.services.listings_index"]

# Listing ids changed inside batch(): the indexers are told once, at its end.
_batch: ContextVar[set[int] | None] = ContextVar("catalog_index_batch", default=None)


def listings_changed(*, listing_ids: Iterable[int]) -> None:
    """Listings went on or off sale, or their approved content or provenance changed."""
    batch = _batch.get()
    if batch is not None:
        batch.update(listing_ids)
        return
    _tell(listing_ids)


def _tell(listing_ids: Iterable[int]) -> None:
    ids = sorted(set(listing_ids))
    if not ids:
        return
    for path in LISTING_INDEXERS:
        import_string(path)(listing_ids=ids)


@contextmanager
def batch() -> Iterator[None]:
    """Changes made inside (an import of many products) are indexed together at its end, not one by one.

    The indexers read each listing as it is then: one whose change was rolled back meanwhile is indexed
    as it stands, or not at all if it is gone.
    """
    ids: set[int] = set()
    token = _batch.set(ids)
    try:
        yield
    finally:
        _batch.reset(token)
        _tell(ids)


def object_changed(*, object_id: int) -> None:
    """A collection object was edited: the products on sale drawn from it carry its title, era, material."""

    ids = Listing.objects.filter(
        on_sale=True, live_revision__content__collection_object_id=object_id
    ).values_list("pk", flat=True)
    listings_changed(listing_ids=ids)
