"""Which unit sells a product, read from the product metadata the catalog sync writes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import get_language

from catalog import saleor_metadata as keys


def metadata_dict(items: list[dict] | None) -> dict[str, str]:
    return {item["key"]: item["value"] for item in items or []}


@dataclass(frozen=True)
class Seller:
    """A unit, or the platform itself for products without our metadata (any Saleor works)."""

    unit_id: str | None
    name_zh: str
    name_en: str

    @property
    def is_platform(self) -> bool:
        return self.unit_id is None

    @property
    def name(self) -> str:
        """The name in the active language (falls back to the other one)."""
        if (get_language() or "").startswith("en"):
            return self.name_en or self.name_zh
        return self.name_zh or self.name_en


PLATFORM = Seller(unit_id=None, name_zh="平台自营", name_en="the platform")


def seller_of(metadata: dict[str, str]) -> Seller:
    unit_id = metadata.get(keys.UNIT_ID)
    if not unit_id:
        return PLATFORM
    return Seller(
        unit_id=unit_id,
        name_zh=metadata.get(keys.UNIT_NAME_ZH, ""),
        name_en=metadata.get(keys.UNIT_NAME_EN, ""),
    )


def _json(metadata: dict[str, str], key: str) -> dict[str, Any] | None:
    try:
        value = json.loads(metadata.get(key) or "null")
    except ValueError:
        return None  # a malformed value must not break the page; the sync owns the format
    return value if isinstance(value, dict) else None


def provenance_of(metadata: dict[str, str]) -> dict[str, Any] | None:
    return _json(metadata, keys.PROVENANCE)


def licence_in_force(metadata: dict[str, str], *, today: date) -> dict[str, Any] | None:
    """The licence JSON when it names a licensor and has not expired (no end date: in force)."""
    licence = _json(metadata, keys.LICENCE)
    if not licence or not licence.get("licensor_unit"):
        return None
    until = licence.get("valid_until")
    if until:
        try:
            if date.fromisoformat(until) < today:
                return None
        except ValueError:
            return None
    return licence


@dataclass
class SellerGroup:
    seller: Seller
    lines: list[dict]


def group_by_seller(lines: list[dict], metadata_of) -> list[SellerGroup]:
    """Lines grouped by unit in first-seen order; the platform's own products form a group too."""
    groups: dict[str | None, SellerGroup] = {}
    for line in lines:
        seller = seller_of(metadata_of(line))
        groups.setdefault(seller.unit_id, SellerGroup(seller=seller, lines=[])).lines.append(line)
    return list(groups.values())
