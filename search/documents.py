"""What of a listing is searchable, and with what weight: its approved revision, never the working copy.

A (name) > B (what it is drawn from and who made or sells it: collection object, era, material, category,
unit, designer) > C (descriptions, the object's own era and material wording, book attributes) > D (scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation

from catalog import taxonomy
from catalog.models import CollectionObject, ImageAsset, Listing
from catalog.selectors import image_asset_derivative_url
from search.text import NAME_PINYIN_SPANS, Document, segmenter, unit_token
from unit_onboarding.models import Designer, Unit, UnitType

# How buyers name an era besides the taxonomy's name (明 is also 明代, 明朝, "Ming dynasty").
ERA_ALIASES: dict[str, tuple[str, str]] = {
    "neolithic": ("新石器 史前", "prehistoric"),
    "shang-zhou": ("商代 商朝 周代 周朝 西周 东周 春秋 战国 先秦", "Shang dynasty Zhou dynasty bronze age"),
    "qin-han": ("秦代 秦朝 汉代 汉朝 西汉 东汉 两汉", "Qin dynasty Han dynasty"),
    "wei-jin": ("魏晋 南北朝 三国 六朝", "Three Kingdoms Six Dynasties"),
    "sui-tang": ("隋代 隋朝 唐代 唐朝 盛唐", "Sui dynasty Tang dynasty"),
    "song-yuan": ("宋代 宋朝 北宋 南宋 元代 元朝", "Song dynasty Yuan dynasty"),
    "ming": ("明代 明朝", "Ming dynasty"),
    "qing": ("清代 清朝", "Qing dynasty"),
    "republic": ("民国时期 中华民国", "Republican era"),
    "modern": ("当代 近现代", "contemporary"),
}
DESCRIPTION_CHARS = 2000  # enough to find a product by its story; keeps documents small and fast to rank
CARD_IMAGE_SIZE = 512


@dataclass
class Indexed:
    """A listing's search document and the columns beside it."""

    document: Document
    columns: dict[str, Any]
    learnt: int = 0  # proper names the segmenter did not know before


def searchable(listing: Listing) -> bool:
    """On sale with approved content, and sold by an active unit."""
    return bool(
        listing.on_sale
        and listing.live_revision_id
        and listing.state != Listing.State.ARCHIVED
        and listing.unit.status == Unit.Status.ACTIVE
    )


def _unit_type_names(unit_type: str) -> tuple[str, str]:
    label = UnitType(unit_type).label if unit_type in UnitType.values else ""
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return zh, en


def _choice(attribute_slug: str, value: str) -> tuple[str, str]:
    """(Chinese, English) names of a dropdown value of the taxonomy."""
    for slug, zh, en in taxonomy.ATTRIBUTES[attribute_slug].choices:
        if slug == value:
            return zh, en
    return "", ""


def _image(content: dict[str, Any]) -> str:
    images = content.get("images") or []
    if not images:
        return ""
    asset = ImageAsset.objects.filter(uid=images[0]["asset"]).first()
    return (image_asset_derivative_url(asset=asset, size=CARD_IMAGE_SIZE) or "") if asset else ""


def listing_indexed(listing: Listing, saleor_prices: dict[str, int] | None = None) -> Indexed:
    """The document of a searchable listing (its live revision) and the facet and sort columns."""
    content = listing.live_revision.content
    unit: Unit = listing.unit
    obj = CollectionObject.objects.filter(pk=content.get("collection_object_id")).first()
    attributes = content.get("attributes") or {}
    unit_names = [n for n in (unit.display_name, unit.legal_name_zh) if n]
    designer_credit = content.get("designer") or ""
    designer = (
        Designer.objects.filter(unit=unit, name_zh=designer_credit).first() if designer_credit else None
    )
    # Each document is segmented knowing its own proper names, whatever the process learnt before.
    learnt = segmenter().add_words(
        [*unit_names, designer_credit, *((obj.title_zh, obj.era, obj.material) if obj else ())]
    )

    doc = Document()
    doc.add(content["name_zh"], "A", pinyin=True, term=True, spans=NAME_PINYIN_SPANS)
    doc.add_english(content.get("name_en") or "", "A", term=True)
    if obj is not None:
        doc.add(obj.title_zh, "B", pinyin=True, term=True)
        doc.add_english(obj.title_en, "B")
        doc.add(obj.era, "B", pinyin=True, term=True)
        doc.add(obj.material, "C")
        doc.add(obj.accession_number, "B")
    if designer_credit:
        doc.add(designer_credit, "B", pinyin=True, term=True)
    if designer is not None:
        doc.add_english(designer.name_en, "B")
    if unit.display_name:
        doc.add(unit.display_name, "B", pinyin=True, term=True)
    doc.add(unit.legal_name_zh, "B", pinyin=not unit.display_name, term=True)
    doc.add_english(unit.legal_name_en, "B")
    type_zh, type_en = _unit_type_names(unit.unit_type)
    doc.add(type_zh, "C", pinyin=True, term=True)
    doc.add_english(type_en, "C")
    category_zh, category_en = taxonomy.CATEGORIES.get(content["category"], ("", ""))
    doc.add(category_zh, "B", pinyin=True, term=True)
    doc.add_english(category_en, "B")
    material = attributes.get("wenchuang-material", "")
    era = attributes.get("wenchuang-era", "")
    for slug, value in (("wenchuang-material", material), ("wenchuang-era", era)):
        zh, en = _choice(slug, value) if value else ("", "")
        doc.add(zh, "B", pinyin=True, term=True)
        doc.add_english(en, "B")
    if era in ERA_ALIASES:
        aliases_zh, aliases_en = ERA_ALIASES[era]
        for alias in aliases_zh.split():
            doc.add(alias, "B", pinyin=True)
        doc.add_english(aliases_en, "B")
    for slug in ("wenchuang-author", "wenchuang-publisher", "wenchuang-isbn"):
        if attributes.get(slug):
            doc.add(attributes[slug], "C")
    # Descriptions by bigrams (a one-character query looks at names and provenance, not at stories).
    doc.add((content.get("description_zh") or "")[:DESCRIPTION_CHARS], "C", unigrams=False)
    doc.add_english((content.get("description_en") or "")[:DESCRIPTION_CHARS], "C")
    doc.add_token(unit_token(unit.pk), "D")

    approved = {v["sku"]: int(v["price_fen"]) for v in content.get("variants") or []}
    prices = {sku: (saleor_prices or {}).get(sku, fen) for sku, fen in approved.items()}
    return Indexed(
        doc,
        {
            "unit_id": unit.pk,
            "unit_type": unit.unit_type,
            "category": content["category"],
            "material": material,
            "era": era,
            "price_fen": min(prices.values()) if prices else 0,
            "slug": listing.slug,
            "name_zh": content["name_zh"],
            "name_en": content.get("name_en") or "",
            "image": _image(content),
        },
        learnt,
    )
