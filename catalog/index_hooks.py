"""Who keeps a copy of listings for buyers (the storefront's search index) is told of each change, in the
transaction that makes it: a product is findable the moment it is on sale, and gone the moment it is not.

Named by dotted path, as saleor_app.handlers names its handlers: the catalog imports no layer above it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.module_loading import import_string

from catalog.models import Listing

# Each is called as f(listing_ids=[...]) inside the caller's transaction; an error rolls the change back.
LISTING_INDEXERS = ["search.services.listings_index"]


def listings_changed(*, listing_ids: Iterable[int]) -> None:
    """Listings went on or off sale, or their approved content or provenance changed."""
    ids = sorted(set(listing_ids))
    if not ids:
        return
    for path in LISTING_INDEXERS:
        import_string(path)(listing_ids=ids)


def object_changed(*, object_id: int) -> None:
    """A collection object was edited: the products on sale drawn from it carry its title, era, material."""

    ids = Listing.objects.filter(
        on_sale=True, live_revision__content__collection_object_id=object_id
    ).values_list("pk", flat=True)
    listings_changed(listing_ids=ids)
