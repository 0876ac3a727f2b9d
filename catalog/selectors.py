"""Reads of the catalog."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.files.storage import storages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from catalog import taxonomy
from catalog.models import DesignerRoyalty, ImageAsset, IpLicence, Listing, ListingImport
from core import clock
from core.money import minor_format


def _derivative(asset: ImageAsset, size: int) -> dict | None:
    """The derivative made for `size` (px, longest side), or None while the asset is not ready."""
    if asset.status != ImageAsset.Status.READY:
        return None
    return next((entry for entry in asset.derivatives if entry["size"] == size), None)


def image_asset_derivative_url(*, asset: ImageAsset, size: int) -> str | None:
    """Public URL of the derivative made for `size` (px, longest side), or None while not ready."""
    entry = _derivative(asset, size)
    return storages["default"].url(entry["name"]) if entry else None


def image_asset_derivative_size(*, asset: ImageAsset, size: int) -> tuple[int, int] | None:
    """(width, height) in px of the derivative made for `size`, or None while not ready: a page that states
    them keeps its layout still while the picture loads."""
    entry = _derivative(asset, size)
    return (entry["width"], entry["height"]) if entry else None


def listings_of_unit(*, unit, query: str = "", state: str = ""):
    """The unit's listings, newest first, optionally searched by name or SKU and filtered by state."""

    listings = Listing.objects.filter(unit=unit)
    if query:
        listings = listings.filter(
            Q(name_zh__icontains=query) | Q(name_en__icontains=query) | Q(variants__sku__icontains=query)
        ).distinct()
    if state:
        listings = listings.filter(state=state)
    return listings.order_by("-updated_at")


@dataclass(frozen=True)
class SyncProgress:
    """Where the push to Saleor of an import's listings stands (those it asked to push: on sale at once)."""

    total: int
    pushed: int
    failed: int  # the beat job pushes them again

    @property
    def waiting(self) -> int:
        return self.total - self.pushed - self.failed

    @property
    def percent(self) -> int:
        return (self.pushed + self.failed) * 100 // self.total if self.total else 100


def listing_import_sync(*, job: ListingImport) -> SyncProgress:
    """One query: the import's listings sent to Saleor, by their push's state."""
    sent = Listing.objects.filter(unit_id=job.unit_id, pk__in=job.listing_ids).exclude(
        sync_status=Listing.Sync.IDLE
    )
    counts = sent.aggregate(
        total=Count("pk"),
        pushed=Count("pk", filter=Q(sync_status__in=(Listing.Sync.DONE, Listing.Sync.DIVERGED))),
        failed=Count("pk", filter=Q(sync_status=Listing.Sync.FAILED)),
    )
    return SyncProgress(**counts)


def listing_imports_of_unit(*, unit):
    """The unit's CSV imports, newest first (the file itself is not read)."""
    return ListingImport.objects.filter(unit=unit).defer("data").order_by("-created_at", "-pk")


def review_queue():
    """Listings whose edit waits for a curator, oldest submission first."""

    return (
        Listing.objects.filter(state=Listing.State.PENDING_REVIEW)
        .select_related("unit", "pending_revision")
        .order_by("pending_revision__submitted_at")
    )


def attribute_rows(content: dict) -> list[tuple[str, str]]:
    """(label, value as buyers read it) of a revision's attributes, in the product type's order."""

    values = content.get("attributes") or {}
    return [
        (a.label, a.display(values[a.slug]))
        for a in taxonomy.attributes_of(content.get("product_type", ""))
        if values.get(a.slug)
    ]


def _with_rows(content: dict | None) -> dict | None:
    """A revision's content for the portal: attributes as rows, category and product type by name."""

    if not content:
        return content
    category = dict(taxonomy.category_choices()).get(content.get("category", ""), content.get("category"))
    product_type = dict(taxonomy.product_type_choices()).get(
        content.get("product_type", ""), content.get("product_type")
    )
    return {
        **content,
        "attribute_rows": attribute_rows(content),
        "category_name": category,
        "product_type_name": product_type,
        "variants": [
            {**v, "price": minor_format(v["price_fen"], v.get("currency", "CNY"))}
            for v in content["variants"]
        ],
    }


# What a curator compares, by the section of the page that shows it: (label, content keys).
SECTIONS = {
    "name": (_("Name"), ("name_zh", "name_en")),
    "description": (_("Description"), ("description_zh", "description_en")),
    "category": (_("Category"), ("category", "product_type")),
    "attributes": (_("Attributes"), ("attributes",)),
    "seo": (_("SEO"), ("seo_title", "seo_description")),
    "provenance": (_("Provenance"), ("collection_object_id", "relation", "designer", "licence_id")),
    "variants": (_("Variants"), ("variants",)),
    "images": (_("Images"), ("images",)),
}


def content_changes(live: dict | None, pending: dict | None) -> dict:
    """What the submitted version changes of the live one: the page's sections that differ (keys and
    labels, in the page's order) and, per SKU, the variants added, removed or changed (with before/after
    prices); nothing for a new product."""

    if not live or not pending:
        return {"sections": [], "labels": [], "variants": []}
    sections = [
        name for name, (_label, keys) in SECTIONS.items() if any(live.get(k) != pending.get(k) for k in keys)
    ]
    before = {v["sku"]: v for v in live.get("variants", [])}
    after = {v["sku"]: v for v in pending.get("variants", [])}
    variants = []
    for sku in [*after, *(sku for sku in before if sku not in after)]:
        old, new = before.get(sku), after.get(sku)
        if old == new:
            continue
        compared = ("name_zh", "name_en", "price_fen", "weight_g")
        fields = [f for f in compared if old and new and old[f] != new[f]]
        variants.append(
            {
                "sku": sku,
                "change": "added" if old is None else "removed" if new is None else "changed",
                "fields": fields,
                "before": minor_format(old["price_fen"], old["currency"]) if old else "",
                "after": minor_format(new["price_fen"], new["currency"]) if new else "",
            }
        )
    return {"sections": sections, "labels": [SECTIONS[name][0] for name in sections], "variants": variants}


def divergence_rows(divergence: dict) -> list[tuple[str, object, object]]:
    """(field, approved here, in Saleor) of a listing changed in Saleor; attributes by label and value."""

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
    live = listing.live_revision.content if listing.live_revision else None
    pending = listing.pending_revision.content if listing.pending_revision else None
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
        "live": _with_rows(live),
        "pending": _with_rows(pending),
        "changes": content_changes(live, pending),
    }


@dataclass(frozen=True)
class Royalty:
    """A royalty carved from a product's sale: party key, role (designer, ip_licence), basis points."""

    party: str
    role: str
    bps: int


def royalties_in_force(*, listing_ids: Iterable[int], at: datetime) -> dict[int, tuple[Royalty, ...]]:
    """Per listing, the designer royalty and the IP licence royalty (to the licensor unit) in force at `at`.

    A licence runs over whole days (valid_from..valid_until inclusive, in the project's time zone).
    """

    ids = set(listing_ids)
    found: dict[int, list[Royalty]] = {pk: [] for pk in ids}
    designers = DesignerRoyalty.objects.filter(listing_id__in=ids, effective_from__lte=at).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=at)
    )
    for royalty in designers.order_by("listing_id"):
        found[royalty.listing_id].append(Royalty(royalty.party_key, "designer", royalty.bps))
    day = clock.today(at)
    licensed = Listing.objects.filter(
        pk__in=ids,
        licence__status=IpLicence.Status.IN_FORCE,
        licence__valid_from__lte=day,
        licence__valid_until__gte=day,
        licence__royalty_bps__gt=0,
    ).select_related("licence__licensor")
    for listing in licensed.order_by("pk"):
        licence = listing.licence
        found[listing.pk].append(Royalty(licence.licensor.party_key, "ip_licence", licence.royalty_bps))
    return {pk: tuple(royalties) for pk, royalties in found.items()}


def royalty_overview(*, unit) -> list[tuple]:
    """(listing, its open-ended or latest royalty or None) for each of the unit's products, newest first."""

    listings = Listing.objects.filter(unit=unit).exclude(state=Listing.State.ARCHIVED)
    rows = list(listings.order_by("-created_at"))
    latest: dict[int, DesignerRoyalty] = {}
    royalties = DesignerRoyalty.objects.filter(listing__in=rows).select_related("designer")
    for royalty in royalties.order_by("listing_id", "effective_from"):
        latest[royalty.listing_id] = royalty
    return [(listing, latest.get(listing.pk)) for listing in rows]


def royalty_history(*, listing) -> list:
    """Every royalty term of the product, latest first, with who set it."""
    royalties = listing.designer_royalties.select_related("designer", "created_by")
    return list(royalties.order_by("-effective_from"))
