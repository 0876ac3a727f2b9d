"""Rewrite the search index from the catalog (after a deploy that changes how documents are made)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from catalog.models import Listing
from search import services
from search.models import SearchDocument


class Command(BaseCommand):
    help = "Rewrite every search document from the listings on sale, then recount the vocabulary."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch: int, **options) -> None:
        ids = sorted(
            set(Listing.objects.filter(on_sale=True).values_list("pk", flat=True))
            | set(SearchDocument.objects.values_list("listing_id", flat=True))
        )
        for start in range(0, len(ids), batch):
            services.listings_index(listing_ids=ids[start : start + batch])
        terms = services.vocabulary_rebuild()
        self.stdout.write(f"search_reindex: {len(ids)} listings, {terms} terms in use")
