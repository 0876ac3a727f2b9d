"""Products changed in Saleor (e.g. in the Dashboard) come back here and are never silently overwritten.

A product event newer than our last push whose content differs from what we pushed marks the listing
"changed in Saleor": the differences are kept for the operator, and pushes stop until they decide to
adopt Saleor's values (a new edit, reviewed as usual) or to restore the approved listing in Saleor.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime

from catalog import listings, taxonomy
from catalog import saleor_metadata as meta
from catalog.error_codes import CatalogError
from catalog.error_codes import CatalogErrorCode as Code
from catalog.models import Listing
from catalog.saleor_sync import editorjs_text, listing_sync_request

Sync = Listing.Sync


class SyncInProgress(Exception):
    """Our own push is waiting or running; the inbox retries the event later."""


def _listing_for(product: dict[str, Any]) -> Listing | None:
    metadata = {m["key"]: m["value"] for m in product.get("metadata") or []}
    query = Listing.objects.select_for_update()
    if product.get("id"):
        found = query.filter(saleor_product_id=product["id"]).first()
        if found:
            return found
    listing_id = metadata.get(meta.LISTING_ID, "")
    reference = product.get("externalReference") or ""
    if listing_id.isdigit():
        found = query.filter(pk=int(listing_id)).first()
        if found and (not reference or reference == found.external_reference):
            return found
    return None


def _attribute_value(attribute: taxonomy.Attribute, values: list[dict[str, Any]]) -> str:
    """A value as Saleor has it, in the stored form of the taxonomy when it is one the taxonomy knows."""
    if not values:
        return ""
    value = values[0]
    reference = value.get("externalReference") or ""
    if attribute.choices and reference.startswith(f"{attribute.slug}-"):
        return reference.removeprefix(f"{attribute.slug}-")
    raw = value.get("plainText") or value.get("name") or ""
    try:
        return attribute.clean(raw)  # e.g. Saleor's "12.50" is our "12.5"
    except taxonomy.AttributeValueError:
        return raw  # a value made in the Dashboard (e.g. a new dropdown value): shown, not adoptable as is


def saleor_values(product: dict[str, Any]) -> dict[str, Any]:
    """The product as Saleor has it, in the shape of a push fingerprint."""
    values = {
        "name": product.get("name") or "",
        "slug": product.get("slug") or "",
        "description": editorjs_text(product.get("description")),
        "seo_title": product.get("seoTitle") or "",
        "seo_description": product.get("seoDescription") or "",
    }
    if product.get("attributes") is not None:  # absent from events of an older subscription
        values["attributes"] = {
            selected["attribute"]["slug"]: _attribute_value(
                taxonomy.ATTRIBUTES[selected["attribute"]["slug"]], selected.get("values") or []
            )
            for selected in product["attributes"]
            if selected["attribute"]["slug"] in taxonomy.ATTRIBUTES
        }
    return values


def _differences(synced: dict[str, Any], theirs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {ours, saleor}} where Saleor differs from what we pushed; attributes as attribute:<slug>."""
    differences = {}
    for key, value in theirs.items():
        if key not in synced:
            continue  # pushed before the fingerprint had it: nothing to compare with
        if key == "attributes":
            for slug, ours in synced[key].items():
                if value.get(slug, "") != ours:
                    differences[f"attribute:{slug}"] = {"ours": ours, "saleor": value.get(slug, "")}
        elif synced[key] != value:
            differences[key] = {"ours": synced[key], "saleor": value}
    return differences


def product_changed(*, event_type: str, payload: dict[str, Any], installation) -> None:
    """Handler of product_created / product_updated / product_deleted (see saleor_app.handlers)."""
    product = payload.get("product") or {}
    with transaction.atomic():
        listing = _listing_for(product)
        if listing is None or not listing.synced_fingerprint:
            return  # not ours, or never pushed: nothing to compare with
        if listing.sync_status in {Sync.SYNCING, Sync.PENDING}:
            # Our push is under way: its intermediate states are not the Dashboard's. After it, this
            # event is older than the new baseline and ignored unless it really came later.
            raise SyncInProgress(f"listing {listing.pk} is being pushed")
        if event_type == "product_deleted":
            listing.saleor_divergence = {"deleted": {"ours": listing.saleor_product_id, "saleor": None}}
        else:
            updated_at = parse_datetime(product.get("updatedAt") or "")
            if updated_at and listing.saleor_updated_at and updated_at <= listing.saleor_updated_at:
                return  # an echo of our own push, or older than it
            differences = _differences(listing.synced_fingerprint, saleor_values(product))
            if not differences:
                return
            listing.saleor_divergence = {**listing.saleor_divergence, **differences}
        listing.sync_status = Sync.DIVERGED
        listing.save(update_fields=["saleor_divergence", "sync_status", "updated_at"])


def variant_changed(*, event_type: str, payload: dict[str, Any], installation) -> None:
    """Handler of product_variant_updated: a price changed in Saleor is a divergence like any other."""
    variant = payload.get("productVariant") or {}
    with transaction.atomic():
        listing = _listing_for(variant.get("product") or {})
        if listing is None or not listing.synced_fingerprint:
            return
        if listing.sync_status in {Sync.SYNCING, Sync.PENDING}:
            raise SyncInProgress(f"listing {listing.pk} is being pushed")
        # A channel price change does not touch the variant's updatedAt (seen on Saleor 3.24), so the
        # event's issuedAt is compared with the last variant write of our push: earlier events are stale.
        baseline = listing.synced_fingerprint.get("variants_updated_at") or ""
        issued_at = parse_datetime(payload.get("issuedAt") or "")
        if baseline and issued_at and issued_at <= parse_datetime(baseline):
            return  # older than our push
        sku = variant.get("sku") or ""
        ours = (listing.synced_fingerprint.get("prices") or {}).get(sku)
        theirs = next(
            (
                c["price"]["fractionalAmount"]
                for c in variant.get("channelListings") or []
                if c["channel"]["slug"] == settings.SALEOR_CHANNEL_SLUG and c.get("price")
            ),
            None,
        )
        if ours is None or theirs is None or theirs == ours:
            return
        listing.saleor_divergence = {
            **listing.saleor_divergence,
            f"price:{sku}": {"ours": ours, "saleor": theirs},
        }
        listing.sync_status = Sync.DIVERGED
        listing.save(update_fields=["saleor_divergence", "sync_status", "updated_at"])


FIELD_FOR = {
    "name": "name_zh",
    "description": "description_zh",
    "seo_title": "seo_title",
    "seo_description": "seo_description",
}


@transaction.atomic
def listing_divergence_resolve(*, listing: Listing, adopt_saleor: bool, actor) -> Listing:
    """The operator's decision on a listing changed in Saleor.

    Adopting copies Saleor's texts, prices and attribute values into the working copy and submits them
    for review like any edit; restoring pushes the approved revision back. Either way pushes resume.
    """
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.sync_status != Sync.DIVERGED:
        raise CatalogError(Code.NO_DIVERGENCE)
    divergence = listing.saleor_divergence
    if "deleted" in divergence:
        listing.saleor_product_id = ""
        listing.saleor_variant_ids = {}
        listing.saleor_media_ids = {}
    listing.saleor_divergence = {}
    listing.sync_status = Sync.PENDING
    listing.save()
    if adopt_saleor and "deleted" not in divergence:
        data: dict[str, Any] = {FIELD_FOR[k]: v["saleor"] for k, v in divergence.items() if k in FIELD_FOR}
        attributes = {
            k.split(":", 1)[1]: v["saleor"] for k, v in divergence.items() if k.startswith("attribute:")
        }
        if attributes:
            # Checked like any edit: a value the taxonomy does not know is refused with its field named.
            data["attributes"] = {**listing.attributes, **attributes}
        prices = {k.split(":", 1)[1]: v["saleor"] for k, v in divergence.items() if k.startswith("price:")}
        variants = None
        if prices:
            variants = [
                {**row, "price_fen": prices.get(row["sku"], row["price_fen"])}
                for row in listing.variants.values(*listings.VARIANT_FIELDS)
            ]
        return listings.listing_update(listing=listing, data=data, variants=variants, actor=actor)
    listing_sync_request(listing_id=listing.pk)
    return listing
