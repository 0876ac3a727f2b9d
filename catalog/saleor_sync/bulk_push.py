"""Push many approved listings at once: products created in chunks with Saleor's bulk mutations.

Retry-safe like the one-by-one push: products are looked up by their slugs (derived from the listings'
uids) before a chunk is created, and a listing whose product exists is updated through the one-by-one path.
A bad row fails its own listing, with Saleor's reason; the others go live.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from catalog.models import ImageAsset, Listing, ListingVariant
from catalog.saleor_sync.locks import try_lock, unlock
from catalog.saleor_sync.product_push import (
    channel_listing_input,
    check_pushable,
    chunks,
    listing_push,
    media_upload_marked,
    product_input_of,
    ready_asset,
    sales_channel,
    translation_input,
    variant_create_input,
)
from catalog.saleor_sync.state import sync_begin, sync_done, sync_failed
from catalog.saleor_sync.taxonomy_push import ensure_attributes, ensure_category, ensure_product_type
from saleor_app.app_client import app_client
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorError

logger = logging.getLogger(__name__)
Sync = Listing.Sync

CHUNK_SIZE = 50  # products per productBulkCreate: one request stays well inside Saleor's timeouts
MEDIA_WORKERS = 4  # products whose images upload at once: a few, so image processing in Saleor keeps up


def listings_sync_bulk(
    *,
    listing_ids: Iterable[int],
    client: SaleorClient | None = None,
    chunk_size: int = CHUNK_SIZE,
    media_workers: int = MEDIA_WORKERS,
) -> dict[int, str]:
    """Push the listings' approved revisions in chunks; {listing id: outcome}, each also on its listing."""
    client = client or app_client()
    outcomes: dict[int, str] = {}
    for chunk in chunks(listing_ids, chunk_size):
        outcomes.update(_BulkPush(client, media_workers).run(chunk))
    return outcomes


class _BulkPush:
    """One chunk: begin, create what is new in one request, update what exists, translate, upload media."""

    def __init__(self, client: SaleorClient, media_workers: int) -> None:
        self.client = client
        self.media_workers = media_workers
        self.outcomes: dict[int, str] = {}
        self.taxonomy: dict[tuple[str, str], tuple[str, dict[str, Any], dict[str, str]]] = {}

    def fail(self, listing: Listing, reason: str) -> None:
        sync_failed(listing.pk, reason)
        self.outcomes[listing.pk] = Sync.FAILED

    def run(self, chunk: list[int]) -> dict[int, str]:
        locked = []
        try:
            for listing_id in chunk:
                if try_lock(listing_id):
                    locked.append(listing_id)
                else:  # its own push runs now; this one's request is left pending for the beat job
                    self.outcomes[listing_id] = "busy"
            self._run_locked(locked)
        finally:
            for listing_id in locked:
                unlock(listing_id)
        return self.outcomes

    def _run_locked(self, listing_ids: list[int]) -> None:
        listings = []
        for listing_id in listing_ids:
            began = sync_begin(listing_id)
            if isinstance(began, str):
                self.outcomes[listing_id] = began
            else:
                listings.append(began)
        if not listings:
            return
        try:
            channel = sales_channel(self.client)
            existing = self._existing_products([listing.slug for listing in listings])
        except SaleorError as exc:
            for listing in listings:
                self.fail(listing, str(exc))
            return
        new = []
        for listing in listings:
            product_id = listing.saleor_product_id or existing.get(listing.slug, {}).get("id")
            if product_id:  # pushed before (or created by an attempt whose answer was lost): update it
                self._update(listing, product_id, channel)
            else:
                new.append(listing)
        created = self._create(new, channel)
        self._translate(created)
        self._upload_media(created)
        self._finish(created)

    def _existing_products(self, slugs: list[str]) -> dict[str, dict[str, Any]]:
        data = self.client.execute("CatalogProductsBySlug", {"slugs": slugs, "first": len(slugs)})
        return {e["node"]["slug"]: e["node"] for e in (data.get("products") or {}).get("edges") or []}

    def _update(self, listing: Listing, product_id: str, channel: dict[str, Any]) -> None:
        Listing.objects.filter(pk=listing.pk).update(saleor_product_id=product_id)
        listing.saleor_product_id = product_id
        try:
            listing_push(listing=listing, client=self.client, channel=channel)
        except SaleorError as exc:
            self.fail(listing, str(exc))
            return
        self._finish([listing])

    def _taxonomy(self, content: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, str]]:
        """Category id, product type and attribute ids, found or created once per chunk."""
        key = (content["category"], content["product_type"])
        if key not in self.taxonomy:
            product_type = ensure_product_type(self.client, content["product_type"])
            self.taxonomy[key] = (
                ensure_category(self.client, content["category"]),
                product_type,
                ensure_attributes(self.client, product_type, content["product_type"]),
            )
        return self.taxonomy[key]

    def _create_input(self, listing: Listing, channel: dict[str, Any]) -> dict[str, Any]:
        content = listing.live_revision.content
        check_pushable(listing, content, channel)
        category_id, product_type, attribute_ids = self._taxonomy(content)
        stock = dict(ListingVariant.objects.filter(listing=listing).values_list("sku", "stock"))
        return {
            **product_input_of(listing, content, category_id, attribute_ids),
            "productType": product_type["id"],
            "channelListings": [channel_listing_input(listing, channel["id"])],
            "variants": [
                variant_create_input(
                    listing, v, stock.get(v["sku"], 0), channel["id"], listing.unit.saleor_warehouse_id
                )
                for v in content["variants"]
            ],
        }

    def _create(self, listings: list[Listing], channel: dict[str, Any]) -> list[Listing]:
        """Create the products of listings pushed for the first time; the listings that went in."""
        rows, inputs = [], []
        for listing in listings:
            try:
                inputs.append(self._create_input(listing, channel))
            except SaleorError as exc:
                self.fail(listing, str(exc))
                continue
            rows.append(listing)
        if not rows:
            return []
        try:
            payload = self.client.mutate(
                "CatalogProductsBulkCreate", {"products": inputs}, "productBulkCreate"
            )
        except SaleorError as exc:
            for listing in rows:
                self.fail(listing, str(exc))
            return []
        results = payload.get("results") or []
        if len(results) != len(rows):  # never expected: without one result per row nothing can be mapped
            for listing in rows:
                self.fail(listing, f"Saleor answered {len(results)} results for {len(rows)} products")
            return []
        created = []
        # Results come back in the order of the input, one per row.
        for listing, result in zip(rows, results, strict=True):
            product = result.get("product")
            if result.get("errors") or product is None:
                self.fail(listing, _reason(result.get("errors") or []))
                continue
            variant_ids = {v["sku"]: v["id"] for v in product["variants"]}
            Listing.objects.filter(pk=listing.pk).update(
                saleor_product_id=product["id"], saleor_variant_ids=variant_ids
            )
            listing.saleor_product_id = product["id"]
            listing.saleor_variant_ids = variant_ids
            created.append(listing)
        return created

    def _bulk_translate(
        self, name: str, field: str, rows: list[tuple[Listing, dict[str, Any]]], failed: set[int]
    ) -> None:
        if not rows:
            return
        try:
            payload = self.client.mutate(name, {"translations": [t for _, t in rows]}, field)
        except SaleorError as exc:
            failed.update(listing.pk for listing, _ in rows)
            for listing, _ in rows:
                self.fail(listing, str(exc))
            return
        results = payload.get("results") or [{"errors": [{"message": "no result"}]}] * len(rows)
        for (listing, _), result in zip(rows, results, strict=True):
            if result.get("errors") and listing.pk not in failed:
                failed.add(listing.pk)
                self.fail(listing, _reason(result["errors"]))

    def _translate(self, created: list[Listing]) -> None:
        products, variants = [], []
        for listing in created:
            content = listing.live_revision.content
            if (translation := translation_input(content)) is not None:
                fields = {"name": translation["name"], "description": translation["description"]}
                products.append(
                    (
                        listing,
                        {"id": listing.saleor_product_id, "languageCode": "EN", "translationFields": fields},
                    )
                )
            for v in content["variants"]:
                if v["name_en"]:
                    variants.append(
                        (
                            listing,
                            {
                                "id": listing.saleor_variant_ids[v["sku"]],
                                "languageCode": "EN",
                                "translationFields": {"name": v["name_en"]},
                            },
                        )
                    )
        failed: set[int] = set()
        self._bulk_translate("CatalogProductsBulkTranslate", "productBulkTranslate", products, failed)
        self._bulk_translate("CatalogVariantsBulkTranslate", "productVariantBulkTranslate", variants, failed)
        created[:] = [listing for listing in created if listing.pk not in failed]

    def _upload_media(self, created: list[Listing]) -> None:
        """Upload new products' images, a few products at a time; a failed image fails its listing only."""
        wanted = {
            listing.pk: [i["asset"] for i in listing.live_revision.content["images"]] for listing in created
        }
        assets = {
            str(a.uid): a
            for a in ImageAsset.objects.filter(uid__in=[u for uids in wanted.values() for u in uids])
        }
        jobs = []
        failed: dict[int, str] = {}
        for listing in created:
            content = listing.live_revision.content
            try:
                images = [
                    (i["asset"], ready_asset(assets, i["asset"]), i["alt"] or content["name_zh"])
                    for i in content["images"]
                ]
            except SaleorError as exc:
                failed[listing.pk] = str(exc)
                continue
            jobs.append((listing, images))

        def upload(job: tuple[Listing, list]) -> tuple[int, dict[str, str], str]:
            listing, images = job
            ids, refused = media_upload_marked(self.client, listing.saleor_product_id, images)
            return listing.pk, ids, str(next(iter(refused.values()))) if refused else ""

        media: dict[int, dict[str, str]] = {listing.pk: {} for listing in created}
        with ThreadPoolExecutor(max_workers=self.media_workers) as pool:
            for listing_id, ids, reason in pool.map(upload, jobs):
                media[listing_id] = ids
                if reason:
                    failed[listing_id] = reason
        for listing in created:
            # Recorded even for a failed listing: its retry updates the product and does not upload twice.
            Listing.objects.filter(pk=listing.pk).update(saleor_media_ids=media[listing.pk])
            if listing.pk in failed:
                self.fail(listing, failed[listing.pk])
        created[:] = [listing for listing in created if listing.pk not in failed]

    def _finish(self, listings: list[Listing]) -> None:
        """Record each pushed listing's baseline from one read of the chunk's products."""
        if not listings:
            return
        try:
            states = self._existing_products([listing.slug for listing in listings])
        except SaleorError as exc:
            for listing in listings:
                self.fail(listing, str(exc))
            return
        for listing in listings:
            state = states.get(listing.slug)
            if state is None:
                self.fail(
                    listing, f"product {listing.saleor_product_id} vanished from Saleor during the push"
                )
                continue
            sync_done(
                listing, state["updatedAt"], max((v["updatedAt"] for v in state["variants"]), default="")
            )
            self.outcomes[listing.pk] = Sync.DONE


def _reason(errors: list[dict[str, Any]]) -> str:
    """Saleor's row errors as one line: where (path) and why (message, code)."""
    return (
        "; ".join(f"{e.get('path') or 'product'}: {e.get('message') or ''} ({e.get('code')})" for e in errors)
        or "rejected by Saleor without a reason"
    )
