"""Reads of the catalog."""

from __future__ import annotations

from django.core.files.storage import storages

from catalog.models import ImageAsset


def image_asset_derivative_url(*, asset: ImageAsset, size: int) -> str | None:
    """Public URL of the derivative made for `size` (px, longest side), or None while not ready."""
    if asset.status != ImageAsset.Status.READY:
        return None
    for entry in asset.derivatives:
        if entry["size"] == size:
            return storages["default"].url(entry["name"])
    return None


def listings_of_unit(*, unit, query: str = "", state: str = ""):
    """The unit's listings, newest first, optionally searched by name or SKU and filtered by state."""
    from django.db.models import Q

    from catalog.models import Listing

    listings = Listing.objects.filter(unit=unit)
    if query:
        listings = listings.filter(
            Q(name_zh__icontains=query) | Q(name_en__icontains=query) | Q(variants__sku__icontains=query)
        ).distinct()
    if state:
        listings = listings.filter(state=state)
    return listings.order_by("-updated_at")


def review_queue():
    """Listings whose edit waits for a curator, oldest submission first."""
    from catalog.models import Listing

    return (
        Listing.objects.filter(state=Listing.State.PENDING_REVIEW)
        .select_related("unit", "pending_revision")
        .order_by("pending_revision__submitted_at")
    )


def attribute_rows(content: dict) -> list[tuple[str, str]]:
    """(label, value as buyers read it) of a revision's attributes, in the product type's order."""
    from catalog import taxonomy

    values = content.get("attributes") or {}
    return [
        (a.label, a.display(values[a.slug]))
        for a in taxonomy.attributes_of(content.get("product_type", ""))
        if values.get(a.slug)
    ]


def _with_rows(content: dict | None) -> dict | None:
    return content and {**content, "attribute_rows": attribute_rows(content)}


def divergence_rows(divergence: dict) -> list[tuple[str, object, object]]:
    """(field, approved here, in Saleor) of a listing changed in Saleor; attributes by label and value."""
    from catalog import taxonomy

    rows = []
    for field, values in divergence.items():
        kind, _, slug = field.partition(":")
        attribute = taxonomy.ATTRIBUTES.get(slug) if kind == "attribute" else None
        if attribute is None:
            rows.append((field, values["ours"], values["saleor"]))
            continue
        ours, saleor = (attribute.display(v) if v else "—" for v in (values["ours"], values["saleor"]))
        rows.append((attribute.label, ours, saleor))
    return rows


def listing_page(*, listing) -> dict:
    """What the operator's and the curator's pages show: working copy, live and pending content."""
    images = [
        {"image": image, "url": image_asset_derivative_url(asset=image.asset, size=256)}
        for image in listing.images.select_related("asset")
    ]
    return {
        "listing": listing,
        "divergence": divergence_rows(listing.saleor_divergence),
        "unit": listing.unit,
        "variants": listing.variants.all(),
        "images": images,
        "revisions": listing.revisions.select_related("submitted_by", "reviewed_by"),
        "live": _with_rows(listing.live_revision.content if listing.live_revision else None),
        "pending": _with_rows(listing.pending_revision.content if listing.pending_revision else None),
    }
