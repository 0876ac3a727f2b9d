"""Reads of the public library: only published objects of active units; texts in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.urls import reverse

from catalog.models import CollectionObject, ImageAsset, Listing
from catalog.selectors import image_asset_derivative_size, image_asset_derivative_url
from resources.models import ObjectCategory, PublishedObject, Rights
from unit_onboarding.models import Unit, UnitType

PAGE_SIZE = 24
THUMB, WEB, WEB_LARGE = 256, 512, 1024  # public derivatives; the 2048 px one and the original are not shown
FACETS = ("unit", "unit_type", "era", "category", "rights")


def _en(language: str) -> bool:
    return language.startswith("en")


def unit_name(unit: Unit, language: str) -> str:
    if _en(language):
        return unit.legal_name_en or unit.display_name or unit.legal_name_zh
    return unit.display_name or unit.legal_name_zh or unit.legal_name_en


def object_title(obj: CollectionObject, language: str) -> str:
    return (obj.title_en or obj.title_zh) if _en(language) else obj.title_zh


def published_objects() -> QuerySet[PublishedObject]:
    """What the public may see: published, of an active unit; with its rights status as a column."""
    return (
        PublishedObject.objects.filter(published=True, object__unit__status=Unit.Status.ACTIVE)
        .select_related("object", "object__unit", "object__image")
        .annotate(
            rights_status=Case(
                When(object__public_domain=True, then=Value(Rights.PUBLIC_DOMAIN.value)),
                When(licensable=True, then=Value(Rights.LICENSABLE.value)),
                default=Value(Rights.NOT_LICENSABLE.value),
                output_field=CharField(),
            )
        )
    )


FACET_COLUMN = {
    "unit": "object__unit_id",
    "unit_type": "object__unit__unit_type",
    "era": "object__era",
    "category": "category",
    "rights": "rights_status",
}


@dataclass(frozen=True)
class LibraryQuery:
    text: str = ""
    filters: dict[str, str] = field(default_factory=dict)  # facet name -> value (as in the URL)
    page: int = 1


def _text_filter(text: str) -> Q:
    q = Q()
    for word in text.split():
        q &= (
            Q(object__title_zh__icontains=word)
            | Q(object__title_en__icontains=word)
            | Q(object__story_zh__icontains=word)
            | Q(object__story_en__icontains=word)
            | Q(object__accession_number__iexact=word)
        )
    return q


def _filtered(query: LibraryQuery, *, without: str = "") -> QuerySet[PublishedObject]:
    qs = published_objects().filter(_text_filter(query.text))
    for name, value in query.filters.items():
        if name != without:
            qs = qs.filter(**{FACET_COLUMN[name]: value})
    return qs


def facet_values_known(name: str, value: str) -> bool:
    """Whether a facet value names something the library can have (else the request is refused)."""
    if name == "unit":
        return value.isdigit() and published_objects().filter(object__unit_id=int(value)).exists()
    if name == "unit_type":
        return value in UnitType.values
    if name == "category":
        return value in ObjectCategory.values
    if name == "rights":
        return value in Rights.values
    if name == "era":
        return published_objects().filter(object__era=value).exclude(object__era="").exists()
    return False


def _facet_label(name: str, value: str, units: dict[int, str]) -> str:
    if name == "unit":
        return units.get(int(value), value)
    if name == "unit_type":
        return str(UnitType(value).label) if value in UnitType.values else value
    if name == "category":
        return str(ObjectCategory(value).label)
    if name == "rights":
        return str(Rights(value).label)
    return value


def _card(publication: PublishedObject, language: str) -> dict[str, Any]:
    obj = publication.object
    image = obj.image
    return {
        "pk": obj.pk,
        "title": object_title(obj, language),
        "unit": unit_name(obj.unit, language),
        "era": obj.era,
        "rights": str(Rights(publication.rights_status).label),
        "rights_code": publication.rights_status,
        "image": image_asset_derivative_url(asset=image, size=THUMB) if image else None,
        "image_2x": image_asset_derivative_url(asset=image, size=WEB) if image else None,
        "image_pending": bool(image and image.status == ImageAsset.Status.PENDING),
    }


class PageOutOfRange(ValueError):
    def __init__(self, last: int) -> None:
        super().__init__(last)
        self.last = last


def library_page(query: LibraryQuery, language: str) -> dict[str, Any]:
    """One page of results and each facet's counts (counted under every other chosen filter)."""
    results = _filtered(query).order_by("-published_at", "pk")
    paginator = Paginator(results, PAGE_SIZE, allow_empty_first_page=True)
    if query.page > paginator.num_pages:
        raise PageOutOfRange(paginator.num_pages)
    page = paginator.page(query.page)
    units = {
        u.pk: unit_name(u, language)
        for u in Unit.objects.filter(pk__in=published_objects().values("object__unit_id"))
    }
    facets = []
    for name in FACETS:
        column = FACET_COLUMN[name]
        rows = (
            _filtered(query, without=name)
            .exclude(**{column: ""} if name != "unit" else {})
            .values(column)
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts = {str(row[column]): row["n"] for row in rows}
        chosen = query.filters.get(name)
        if chosen is not None:
            counts.setdefault(chosen, 0)
        values = [
            {"value": value, "label": _facet_label(name, value, units), "count": n, "active": value == chosen}
            for value, n in counts.items()
        ]
        values.sort(key=lambda v: (-v["count"], v["label"]))
        facets.append({"name": name, "values": values, "active": chosen is not None})
    cards = [_card(p, language) for p in page.object_list]
    return {
        "total": paginator.count,
        "number": page.number,
        "pages": paginator.num_pages,
        "cards": cards,
        "facets": facets,
        "keep": not any(c["image_pending"] for c in cards),
    }


def _price(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def products_from(obj: CollectionObject, language: str) -> list[dict[str, Any]]:
    """Products on sale whose approved content names this object, linked to their shop pages."""
    found = list(
        Listing.objects.filter(
            on_sale=True,
            unit__status=Unit.Status.ACTIVE,
            live_revision__content__collection_object_id=obj.pk,
        )
        .select_related("live_revision")
        .order_by("pk")
    )
    first_images = {}
    for listing in found:
        images = listing.live_revision.content.get("images") or []
        if images:
            first_images[listing.pk] = images[0]["asset"]
    assets = {str(a.uid): a for a in ImageAsset.objects.filter(uid__in=first_images.values())}
    products = []
    for listing in found:
        content = listing.live_revision.content
        name = (content.get("name_en") or content.get("name_zh")) if _en(language) else content.get("name_zh")
        prices = [v["price_fen"] for v in content.get("variants") or []]
        asset = assets.get(first_images.get(listing.pk, ""))
        products.append(
            {
                "slug": listing.slug,
                "name": name or listing.name_zh,
                "price": _price(min(prices)) if prices else "",
                "price_varies": len(set(prices)) > 1,
                "image": image_asset_derivative_url(asset=asset, size=THUMB) if asset else None,
            }
        )
    return products


def object_page(pk: int, language: str) -> dict[str, Any] | None:
    """Everything the public object page shows, or None when it is not (or no longer) published."""
    publication = published_objects().filter(object__pk=pk).first()
    if publication is None:
        return None
    obj = publication.object
    image = obj.image
    story = (obj.story_en or obj.story_zh) if _en(language) else (obj.story_zh or obj.story_en)
    return {
        "pk": obj.pk,
        "title": object_title(obj, language),
        "title_zh": obj.title_zh,
        "accession_number": obj.accession_number,
        "unit": unit_name(obj.unit, language),
        "unit_id": obj.unit_id,
        "unit_type": str(UnitType(obj.unit.unit_type).label) if obj.unit.unit_type else "",
        "era": obj.era,
        "material": obj.material,
        "dimensions": obj.dimensions,
        "story": story,
        "category": str(ObjectCategory(publication.category).label),
        "rights": publication.rights_status,
        "rights_label": str(Rights(publication.rights_status).label),
        "image": image_asset_derivative_url(asset=image, size=WEB) if image else None,
        "image_large": image_asset_derivative_url(asset=image, size=WEB_LARGE) if image else None,
        "image_size": image_asset_derivative_size(asset=image, size=WEB) if image else None,
        "image_pending": bool(image and image.status == ImageAsset.Status.PENDING),
        "products": products_from(obj, language),
        "keep": not (image and image.status == ImageAsset.Status.PENDING),
    }


def object_links() -> dict[str, int]:
    """{listing uid: published object pk} for products on sale drawn from a published object."""
    published = set(published_objects().values_list("object_id", flat=True))
    if not published:
        return {}
    rows = (
        Listing.objects.filter(on_sale=True)
        .exclude(live_revision__content__collection_object_id=None)
        .values_list("uid", "live_revision__content__collection_object_id")
    )
    return {str(uid): int(pk) for uid, pk in rows if pk is not None and int(pk) in published}


def library_url(name: str, **kwargs) -> str:
    return reverse(f"library:{name}", kwargs=kwargs or None)
