"""Writes of listings: the working copy, review of its revisions, and being on sale.

A listing's fields are the operator's working copy. Submitting snapshots the reviewable content (text,
attributes, prices, images, provenance) into an immutable revision; only an approved revision
(`live_revision`) is pushed to Saleor, so a published product keeps its old price until a curator
approves the new one. Stock is not reviewed: it is pushed as soon as it is saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from catalog import index_hooks, taxonomy
from catalog.error_codes import CatalogError
from catalog.error_codes import CatalogErrorCode as Code
from catalog.models import (
    CollectionObject,
    ImageAsset,
    IpLicence,
    Listing,
    ListingImage,
    ListingRevision,
    ListingVariant,
    UnitCatalogSettings,
)
from catalog.saleor_sync import listing_sync_request
from core import clock
from unit_onboarding.models import Unit

S = Listing.State
LISTING_FIELDS = (
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "category",
    "product_type",
    "seo_title",
    "seo_description",
    "attributes",
    "collection_object",
    "relation",
    "designer",
    "licence",
)
VARIANT_FIELDS = ("sku", "name_zh", "name_en", "price_fen", "stock", "weight_g")


def listing_content(listing: Listing) -> dict[str, Any]:
    """The reviewable content of the working copy, as a revision stores it (stock excluded)."""
    return {
        "name_zh": listing.name_zh,
        "name_en": listing.name_en,
        "description_zh": listing.description_zh,
        "description_en": listing.description_en,
        "category": listing.category,
        "product_type": listing.product_type,
        "seo_title": listing.seo_title,
        "seo_description": listing.seo_description,
        "collection_object_id": listing.collection_object_id,
        "relation": listing.relation,
        "designer": listing.designer,
        "licence_id": listing.licence_id,
        # Only when set, so content (and review) of listings without attributes is as before.
        **({"attributes": dict(sorted(listing.attributes.items()))} if listing.attributes else {}),
        "variants": [
            {
                "sku": v.sku,
                "name_zh": v.name_zh,
                "name_en": v.name_en,
                "price_fen": v.price_fen,
                "currency": v.currency,
                "weight_g": v.weight_g,
            }
            for v in listing.variants.order_by("position", "pk")
        ],
        "images": [
            {"asset": str(i.asset.uid), "alt": i.alt}
            for i in listing.images.select_related("asset").order_by("position", "pk")
        ],
    }


def _provenance_check(*, unit: Unit, obj: CollectionObject | None, relation: str, licence: IpLicence | None):
    if obj is None:
        return
    if not relation:
        raise CatalogError(Code.RELATION_REQUIRED, "relation")
    if obj.unit_id != unit.pk:
        if licence is None:
            raise CatalogError(Code.OBJECT_OF_OTHER_UNIT, "collection_object")
        if licence.licensor_id != obj.unit_id:
            raise CatalogError(Code.LICENCE_NOT_FOR_OBJECT, "licence")
    in_term = licence is not None and licence.valid_from <= clock.today() <= licence.valid_until
    if licence is not None and not (in_term and licence.status == IpLicence.Status.IN_FORCE):
        raise CatalogError(Code.LICENCE_NOT_IN_FORCE, "licence")


def _attributes_check(listing: Listing) -> None:
    """Keep only the product type's attributes, in their stored form; refuse a value they do not accept."""
    values, errors = taxonomy.attributes_clean(listing.product_type, listing.attributes or {})
    for slug, expected in errors.items():
        attribute = taxonomy.ATTRIBUTES[slug]
        raise CatalogError(
            Code.ATTRIBUTE_INVALID, f"attr_{slug}", attribute=attribute.label, expected=expected
        )
    listing.attributes = values


def _variants_replace(listing: Listing, variants: Sequence[Mapping[str, Any]]) -> None:
    keep = []
    for position, data in enumerate(variants):
        values = {name: data[name] for name in VARIANT_FIELDS if name in data and name != "sku"}
        try:
            with transaction.atomic():
                variant, _ = ListingVariant.objects.update_or_create(
                    listing=listing, sku=data["sku"], defaults={**values, "position": position}
                )
        except IntegrityError as exc:
            raise CatalogError(Code.SKU_TAKEN, "variants", sku=data["sku"]) from exc
        keep.append(variant.pk)
    listing.variants.exclude(pk__in=keep).delete()


@transaction.atomic
def listing_create(
    *, unit: Unit, data: Mapping[str, Any], variants: Sequence[Mapping[str, Any]], actor
) -> Listing:
    """A new draft of the unit's product with its variants."""
    _provenance_check(
        unit=unit,
        obj=data.get("collection_object"),
        relation=data.get("relation", ""),
        licence=data.get("licence"),
    )
    listing = Listing(unit=unit, **{k: data[k] for k in LISTING_FIELDS if k in data})
    _attributes_check(listing)
    listing.save()
    _variants_replace(listing, variants)
    return listing


@transaction.atomic
def listing_update(
    *,
    listing: Listing,
    data: Mapping[str, Any],
    variants: Sequence[Mapping[str, Any]] | None = None,
    actor,
) -> Listing:
    """Save the working copy. A listing already submitted goes back to review if its content changed."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.state == S.ARCHIVED:
        raise CatalogError(Code.LISTING_ARCHIVED)
    # Saleor cannot change a product's type (its attributes hang on it).
    if listing.live_revision_id and data.get("product_type", listing.product_type) != listing.product_type:
        raise CatalogError(Code.PRODUCT_TYPE_FIXED, "product_type")
    for name in LISTING_FIELDS:
        if name in data:
            setattr(listing, name, data[name])
    _provenance_check(
        unit=listing.unit, obj=listing.collection_object, relation=listing.relation, licence=listing.licence
    )
    _attributes_check(listing)
    listing.save()
    if variants is not None:
        _variants_replace(listing, variants)
    if listing.state != S.DRAFT:
        return listing_submit(listing=listing, actor=actor)
    return listing


@transaction.atomic
def listing_image_add(*, listing: Listing, asset: ImageAsset, alt: str = "", actor) -> ListingImage:
    """Attach an uploaded image (processing may still be running) at the end of the gallery."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.state == S.ARCHIVED:
        raise CatalogError(Code.LISTING_ARCHIVED)
    position = (listing.images.aggregate(m=Max("position"))["m"] or 0) + 1
    image = ListingImage.objects.create(listing=listing, asset=asset, alt=alt, position=position)
    if listing.state != S.DRAFT:
        listing_submit(listing=listing, actor=actor)
    return image


@transaction.atomic
def listing_image_remove(*, image: ListingImage, actor) -> None:
    listing = Listing.objects.select_for_update().get(pk=image.listing_id)
    if listing.state == S.ARCHIVED:
        raise CatalogError(Code.LISTING_ARCHIVED)
    image.delete()
    if listing.state != S.DRAFT:
        listing_submit(listing=listing, actor=actor)


def listing_missing(listing: Listing) -> list[str]:
    """What the working copy still needs before it can be reviewed."""
    missing = [name for name in ("name_zh", "category", "product_type") if not getattr(listing, name)]
    missing += [
        taxonomy.ATTRIBUTES[slug].label
        for slug in taxonomy.attributes_missing(listing.product_type, listing.attributes or {})
    ]
    if not listing.variants.exists():
        missing.append("variants")
    return missing


def _review_exempt(unit: Unit) -> bool:
    return UnitCatalogSettings.objects.filter(unit=unit, review_exempt=True).exists()


def _state_when_live(listing: Listing) -> str:
    return S.PUBLISHED if listing.on_sale else S.APPROVED


@transaction.atomic
def listing_submit(*, listing: Listing, actor) -> Listing:
    """Send the working copy to review (or straight through for a trusted unit).

    An earlier edit still waiting is withdrawn: the curator always reviews the latest content. Content
    equal to the live revision needs no review (e.g. a stock-only change), it is just pushed again.
    """
    listing = Listing.objects.select_for_update().select_related("unit").get(pk=listing.pk)
    if listing.state == S.ARCHIVED:
        raise CatalogError(Code.LISTING_ARCHIVED)
    if missing := listing_missing(listing):
        raise CatalogError(Code.LISTING_INCOMPLETE, missing=", ".join(missing))
    if listing.images.exclude(asset__status=ImageAsset.Status.READY).exists():
        raise CatalogError(Code.IMAGE_NOT_READY, "images")
    content = listing_content(listing)
    if listing.pending_revision is not None and listing.pending_revision.content == content:
        _sync_after_commit(listing)  # e.g. stock changed while the edit waits: the same edit stays queued
        return listing
    if listing.pending_revision_id:
        ListingRevision.objects.filter(pk=listing.pending_revision_id).update(
            status=ListingRevision.Status.WITHDRAWN
        )
        listing.pending_revision = None
    if listing.live_revision is not None and listing.live_revision.content == content:
        listing.state = _state_when_live(listing)
        listing.save(update_fields=["pending_revision", "state", "updated_at"])
        _sync_after_commit(listing)
        return listing
    number = (listing.revisions.aggregate(m=Max("number"))["m"] or 0) + 1
    revision = ListingRevision.objects.create(
        listing=listing, number=number, content=content, submitted_by=actor
    )
    listing.pending_revision = revision
    listing.state = S.PENDING_REVIEW
    listing.save(update_fields=["pending_revision", "state", "updated_at"])
    if _review_exempt(listing.unit):
        return _approve(listing, revision, reviewer=None, exempt=True)
    _sync_after_commit(listing)  # stock changes do not wait for the review
    return listing


def _approve(listing: Listing, revision: ListingRevision, *, reviewer, exempt: bool = False) -> Listing:
    revision.status = ListingRevision.Status.APPROVED
    revision.reviewed_by = reviewer
    revision.reviewed_at = clock.now()
    revision.review_exempt = exempt
    revision.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_exempt"])
    listing.live_revision = revision
    listing.pending_revision = None
    listing.state = _state_when_live(listing)
    listing.save(update_fields=["live_revision", "pending_revision", "state", "updated_at"])
    index_hooks.listings_changed(listing_ids=[listing.pk])
    _sync_after_commit(listing)
    return listing


@transaction.atomic
def listing_review(*, listing: Listing, approve: bool, reviewer, reason: str = "") -> Listing:
    """A curator's decision on the edit waiting for review; a rejection carries a reason."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    revision = listing.pending_revision
    if revision is None or listing.state != S.PENDING_REVIEW:
        raise CatalogError(Code.NOTHING_TO_REVIEW)
    if approve:
        return _approve(listing, revision, reviewer=reviewer)
    if not reason.strip():
        raise CatalogError(Code.REASON_REQUIRED, "reason")
    revision.status = ListingRevision.Status.REJECTED
    revision.reviewed_by = reviewer
    revision.reviewed_at = clock.now()
    revision.reason = reason.strip()
    revision.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason"])
    listing.pending_revision = None
    listing.state = S.REJECTED
    listing.save(update_fields=["pending_revision", "state", "updated_at"])
    return listing


@transaction.atomic
def listing_publish(*, listing: Listing, on_sale: bool, actor=None) -> Listing:
    """Put the approved content on sale in the channel, or take it off sale."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.state == S.ARCHIVED:
        raise CatalogError(Code.LISTING_ARCHIVED)
    if on_sale and listing.live_revision_id is None:
        raise CatalogError(Code.NOT_APPROVED)
    listing.on_sale = on_sale
    if listing.state in {S.APPROVED, S.PUBLISHED}:
        listing.state = _state_when_live(listing)
    listing.save(update_fields=["on_sale", "state", "updated_at"])
    index_hooks.listings_changed(listing_ids=[listing.pk])
    _sync_after_commit(listing)
    return listing


@transaction.atomic
def listing_archive(*, listing: Listing, actor) -> Listing:
    """Take the product off sale for good; its history stays."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.pending_revision_id:
        ListingRevision.objects.filter(pk=listing.pending_revision_id).update(
            status=ListingRevision.Status.WITHDRAWN
        )
    listing.pending_revision = None
    listing.on_sale = False
    listing.state = S.ARCHIVED
    listing.save(update_fields=["pending_revision", "on_sale", "state", "updated_at"])
    index_hooks.listings_changed(listing_ids=[listing.pk])
    _sync_after_commit(listing)
    return listing


def unit_review_exempt_set(*, unit: Unit, exempt: bool) -> None:
    """Trust a unit (its edits skip review) or withdraw that trust; set by platform staff."""
    UnitCatalogSettings.objects.update_or_create(unit=unit, defaults={"review_exempt": exempt})


def _sync_after_commit(listing: Listing) -> None:
    """Ask for a push to Saleor once this transaction commits (nothing is pushed before approval)."""
    if listing.live_revision_id is None:
        return
    listing_sync_request(listing_id=listing.pk)
