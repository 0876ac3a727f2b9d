"""The search page: the buyer's query parsed from the URL, this service's search index asked for the hits and
facet counts, and Saleor for the cards (price, availability, thumbnails: Saleor is their source).

Cards come from one cached Saleor request by the page's slugs (the same catalog cache as the other listings,
rebuilt by product webhooks). A hit Saleor does not know yet (approved a moment ago, its push still running)
gets a card from the index, so a product is findable the moment it is on sale; one Saleor knows but does not
show (unpublished there) is left out.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import taxonomy
from search import selectors as search
from storefront import presenters
from storefront.money import money_format
from storefront.selectors import products_by_slugs
from unit_onboarding.models import Unit, UnitType

SORT_LABELS = {
    "relevance": gettext_lazy("Best match"),
    "newest": gettext_lazy("Newest"),
    "price_asc": gettext_lazy("Price: low to high"),
    "price_desc": gettext_lazy("Price: high to low"),
    "bestselling": gettext_lazy("Best-selling"),
}
PARAMS = ("q", "unit", "unit_type", "category", "material", "era", "price", "min", "max", "sort")


def _int(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if low <= number <= high else None


def query_from(params: QueryDict) -> search.SearchQuery:
    """Only values search knows: anything else in the URL is dropped, never an error."""
    materials = {s for s, _zh, _en in taxonomy.ATTRIBUTES["wenchuang-material"].choices}
    eras = {s for s, _zh, _en in taxonomy.ATTRIBUTES["wenchuang-era"].choices}

    def one_of(name: str, allowed) -> str:
        value = params.get(name, "")
        return value if value in allowed else ""

    return search.SearchQuery(
        text=params.get("q", "").strip()[:200],
        unit_id=_int(params.get("unit"), 1, 2**62),
        unit_type=one_of("unit_type", UnitType.values),
        category=one_of("category", taxonomy.CATEGORIES),
        material=one_of("material", materials),
        era=one_of("era", eras),
        price_band=_int(params.get("price"), 0, len(search.PRICE_BANDS) - 1),
        price_min=_int(params.get("min"), 0, 10_000_000),
        price_max=_int(params.get("max"), 0, 10_000_000),
        sort=one_of("sort", search.SORTS) or "relevance",
        page=_int(params.get("page"), 1, search.MAX_PAGE) or 1,
    )


def _url(params: QueryDict, **changes: str | None) -> str:
    """This search's URL with some parameters set (None: removed); always back to page 1."""
    kept = QueryDict(mutable=True)
    for name in PARAMS:
        if params.get(name):
            kept[name] = params[name]
    for name, value in changes.items():
        kept.pop(name, None)
        if value:
            kept[name] = value
    return "?" + kept.urlencode()


def _band_label(index: int) -> str:
    low, high = search.PRICE_BANDS[index]
    if low is None:
        return _("Under ¥%(high)s") % {"high": high}
    if high is None:
        return _("¥%(low)s and above") % {"low": low}
    return _("¥%(low)s to %(high)s") % {"low": low, "high": high}


def facets(result: search.SearchResult, query: search.SearchQuery, params: QueryDict, language: str) -> list:
    """Each facet with its values (label, count, link, active), most products first; the active one kept."""
    labels = search.facet_labels(language)
    units = Unit.objects.filter(pk__in=[int(k) for k in result.facets["unit"]])
    unit_names = {str(unit.pk): unit.shop_name_in(language) for unit in units}
    active = {
        "unit": str(query.unit_id or ""),
        "unit_type": query.unit_type,
        "category": query.category,
        "material": query.material,
        "era": query.era,
        "price": "" if query.price_band is None else str(query.price_band),
    }
    titles = {
        "unit": _("Sold by"),
        "unit_type": _("Kind of institution"),
        "category": _("Category"),
        "material": _("Material"),
        "era": _("Era"),
        "price": _("Price"),
    }

    def label(facet: str, key: str) -> str:
        if facet == "unit":
            return unit_names.get(key, key)
        if facet == "unit_type":
            return str(UnitType(key).label) if key in UnitType.values else key
        if facet == "price":
            return _band_label(int(key))
        return labels[facet].get(key, key)

    shown = []
    for facet in search.FACETS:
        counts = result.facets[facet]
        keys = sorted(counts, key=lambda k: (-counts[k], label(facet, k)))
        if facet == "price":
            keys = sorted(counts, key=int)
        if active[facet] and active[facet] not in counts:
            keys.append(active[facet])
        values = [
            {
                "label": label(facet, key),
                "count": counts.get(key, 0),
                "url": _url(params, **{facet: key}),
                "active": key == active[facet],
            }
            for key in keys
        ]
        if values:
            shown.append(
                {
                    "name": facet,
                    "title": titles[facet],
                    "values": values,
                    "clear": _url(params, **{facet: None}),
                    "any_active": bool(active[facet]),
                }
            )
    return shown


def _fallback_card(hit: dict[str, Any], language: str, unit_names: dict[int, str]) -> dict[str, Any]:
    """A card from the index for a product Saleor has not received yet (its push is running)."""
    english = language.startswith("en")
    name = (english and hit["name_en"]) or hit["name_zh"]
    price = {"currency": "CNY", "fractionalAmount": hit["price_fen"], "fractionDigits": 2}
    return {
        "name": name,
        "slug": hit["slug"],
        "seller": {"name": unit_names.get(hit["unit_id"], ""), "is_platform": False},
        "price": money_format(price, language=language),
        "price_varies": False,
        "image": hit["image"],
        "srcset": "",
        "alt": "",  # the card's link names the product (presenters.card_alt)
        "available": True,
    }


def cards(hits: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """The page's cards in the index's order: Saleor's product where it shows one."""
    if not hits:
        return []
    # Nothing of the page in Saleor yet (all just approved): no request to make.
    shown = products_by_slugs([h["slug"] for h in hits]) if any(h["in_saleor"] for h in hits) else {}
    unit_names = {
        unit.pk: unit.shop_name_in(language)
        for unit in Unit.objects.filter(pk__in={h["unit_id"] for h in hits})
    }
    result = []
    for hit in hits:
        if hit["slug"] in shown:
            result.append(presenters.card(shown[hit["slug"]], language))
        elif not hit["in_saleor"]:
            result.append(_fallback_card(hit, language, unit_names))
    return result


def sorts(params: QueryDict, current: str) -> list[dict[str, Any]]:
    return [
        {"value": value, "label": str(label), "url": _url(params, sort=value), "active": value == current}
        for value, label in SORT_LABELS.items()
    ]


def pages(params: QueryDict, result: search.SearchResult) -> dict[str, Any]:
    page = result.page
    return {
        "number": page,
        "count": result.pages,
        "previous": _url(params, page=str(page - 1)) if page > 1 else "",
        "next": _url(params, page=str(page + 1)) if page < result.pages else "",
    }
