"""A product's Saleor attributes as buyers read them: names and values in the page's language, with units."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.units import UnknownUnitError, format_unit
from django.utils.translation import gettext as _

from storefront.money import babel_locale
from storefront.translations import is_english

# Saleor's MeasurementUnitsEnum -> CLDR unit, so Babel writes "18.5厘米" / "18.5 cm".
_CLDR_UNITS = {
    "MM": "length-millimeter",
    "CM": "length-centimeter",
    "DM": "length-decimeter",
    "M": "length-meter",
    "KM": "length-kilometer",
    "FT": "length-foot",
    "YD": "length-yard",
    "INCH": "length-inch",
    "SQ_CM": "area-square-centimeter",
    "SQ_M": "area-square-meter",
    "SQ_KM": "area-square-kilometer",
    "SQ_FT": "area-square-foot",
    "SQ_YD": "area-square-yard",
    "SQ_INCH": "area-square-inch",
    "CUBIC_CENTIMETER": "volume-cubic-centimeter",
    "CUBIC_METER": "volume-cubic-meter",
    "LITER": "volume-liter",
    "CUBIC_FOOT": "volume-cubic-foot",
    "CUBIC_INCH": "volume-cubic-inch",
    "CUBIC_YARD": "volume-cubic-yard",
    "QT": "volume-quart",
    "PINT": "volume-pint",
    "FL_OZ": "volume-fluid-ounce",
    "G": "mass-gram",
    "KG": "mass-kilogram",
    "LB": "mass-pound",
    "OZ": "mass-ounce",
    "TONNE": "mass-tonne",
}


def _named(item: dict | None, english: bool) -> str:
    """A choice's name: its English translation on English pages when Saleor has one, else the name."""
    item = item or {}
    return (english and item.get("en")) or item.get("name") or ""


def number_format(number: float, unit: str | None, language: str) -> str:
    # Saleor sends a float: str() gives its shortest form (18.5, not 18.4999...).
    value = Decimal(str(number))
    cldr = _CLDR_UNITS.get(unit or "")
    if cldr:
        try:
            return format_unit(value, cldr, length="short", locale=babel_locale(language))
        except UnknownUnitError:  # a unit this Babel's CLDR data lacks
            pass
    text = format(value.normalize(), "f")  # 20.0 -> "20"
    return f"{text} {unit.lower()}" if unit else text


def _values(assigned: dict, language: str) -> list[str]:
    english = is_english(language)
    if "choice" in assigned:
        return [_named(assigned["choice"], english)]
    if "choices" in assigned:
        return [_named(choice, english) for choice in assigned["choices"] or []]
    if assigned.get("number") is not None:
        return [number_format(assigned["number"], assigned["attribute"].get("unit"), language)]
    if "text" in assigned:
        return [(english and assigned.get("textEn")) or assigned.get("text") or ""]
    if assigned.get("flag") is not None:
        return [_("Yes") if assigned["flag"] else _("No")]
    return []  # references, files, swatches, rich text, dates: not shown on the product page


def attributes_shown(product: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """[{"name", "values"}] of the attributes that have a value, in Saleor's (the product type's) order."""
    english = is_english(language)
    shown = []
    for assigned in product.get("assignedAttributes") or []:
        values = [v for v in _values(assigned, language) if v.strip()]
        if not values:
            continue
        attribute = assigned["attribute"]
        translation = attribute.get("translation") or {}
        shown.append({"name": (english and translation.get("name")) or attribute["name"], "values": values})
    return shown
