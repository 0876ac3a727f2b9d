"""Live Saleor set-up for storefront tests: a shop of the test's own (tests/live_shop.py) selling two products
of our units, as the catalog sync would list them (the museum's with the taxonomy's attributes: material,
era, size, and English texts), in a channel no one else's promotion reaches. Removed afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from catalog import saleor_metadata as keys
from catalog import taxonomy
from catalog.saleor_sync import attributes_input, editorjs
from catalog.saleor_sync.taxonomy_push import ensure_attributes, find_attributes
from saleor_app.client import SaleorClient
from tests.live_saleor import StaffSession
from tests.live_shop import ProductSpec, Shop, own_shop, searchable
from tests.unit_onboarding.factories import UnitFactory
from unit_onboarding.models import Unit


@dataclass
class LiveShop:
    museum: Unit
    library: Unit
    museum_product: dict  # {"id", "slug", "name"}
    library_product: dict
    shop: Shop  # its channel is the storefront's (SALEOR_CHANNEL_SLUG) for the test

    @property
    def channel_slug(self) -> str:
        return self.shop.channel_slug


# What the museum product carries, in the catalog's stored form (a cultural goods listing's attributes).
MUSEUM_TYPE = "wenchuang-goods"
MUSEUM_ATTRIBUTES = {
    "wenchuang-material": "bronze",
    "wenchuang-era": "shang-zhou",
    "wenchuang-length-cm": "18.5",
}
# One word each (Saleor's search matches words by prefix), Chinese only (the English page must not show them).
MUSEUM_NAME = "编钟纹书签"
LIBRARY_NAME = "巴县档案笔记本"


def _unit_metadata(unit: Unit, *, provenance: dict, licence: dict | None) -> tuple[tuple[str, str], ...]:
    items = {
        keys.UNIT_ID: str(unit.pk),
        keys.UNIT_SLUG: f"unit-{unit.pk}",
        keys.UNIT_NAME_ZH: unit.display_name,
        keys.UNIT_NAME_EN: unit.legal_name_en,
        keys.AGREEMENT_VERSION: "1",
        keys.PROVENANCE: json.dumps(provenance, ensure_ascii=False),
    }
    if licence:
        items[keys.LICENCE] = json.dumps(licence, ensure_ascii=False)
    return tuple(items.items())


@contextmanager
def taxonomy_attributes(staff: StaffSession, product_type_id: str) -> Iterator[dict[str, str]]:
    """The taxonomy's cultural-goods attributes, made as the catalog sync makes them (with their English
    names) when this Saleor lacks them, assigned to the product type; {slug: id}. Those made here are
    deleted afterwards."""
    client = SaleorClient(staff.api_url, staff.token)
    wanted = [a.slug for a in taxonomy.attributes_of(MUSEUM_TYPE)]
    existing = set(find_attributes(client, wanted))
    ids = {}
    try:
        ids = ensure_attributes(client, {"id": product_type_id, "productAttributes": []}, MUSEUM_TYPE)
        yield ids
    finally:
        for slug, attribute_id in ids.items():
            if slug not in existing:
                staff.gql(
                    "mutation($id: ID!) { attributeDelete(id: $id) { errors { message } } }",
                    {"id": attribute_id},
                )


def attributes_set(staff: StaffSession, product_id: str, ids: dict[str, str], values: dict[str, str]) -> None:
    """Give the product the taxonomy's attribute values (as the catalog stores them), the others cleared."""
    content = {"product_type": MUSEUM_TYPE, "attributes": values}
    SaleorClient(staff.api_url, staff.token).mutate(
        "CatalogProductUpdate",
        {"id": product_id, "input": {"attributes": attributes_input(content, ids)}},
        "productUpdate",
    )


# The museum product's and its category's English texts, as the catalog sync pushes them (the library
# product keeps none: its English page falls back to the original).
MUSEUM_EN = {
    "name": "Chime-bell bookmark",
    "description": editorjs("A bookmark with the pattern of a Warring States chime bell."),
    "seoTitle": "Chime-bell bookmark | Three Gorges Museum",
    "seoDescription": "Bronze bookmark after a chime bell in the museum's collection.",
}
CATEGORY_EN = {"name": "Cultural drinks"}


def _translate(staff: StaffSession, kind: str, object_id: str, texts: dict) -> None:
    mutation = f"{kind}Translate"
    data = staff.gql(
        f"mutation($id: ID!, $input: TranslationInput!) {{ {mutation}(id: $id, languageCode: EN,"
        " input: $input) { errors { field message } } }",
        {"id": object_id, "input": texts},
    )
    assert data[mutation]["errors"] == []


@contextmanager
def live_shop_open(staff: StaffSession, *, flow: str = "AUTHORIZATION") -> Iterator[LiveShop]:
    """Two active units in this service's DB and, in a shop of the test's own, a product of each carrying
    its metadata; ready once Saleor's search finds them. The channel authorises payments unless `flow`."""
    museum = UnitFactory(
        status=Unit.Status.ACTIVE,
        unit_type="museum",
        display_name="三峡博物馆",
        legal_name_en="Three Gorges Museum",
        story="<p>三峡与重庆的历史。</p>",
        opening_hours="周二至周日 9:00-17:00",
    )
    library = UnitFactory(
        status=Unit.Status.ACTIVE,
        unit_type="library",
        display_name="重庆图书馆",
        legal_name_en="Chongqing Library",
    )
    products = [
        ProductSpec(
            MUSEUM_NAME,
            "36.50",
            quantity=50,
            metadata=_unit_metadata(
                museum,
                provenance={
                    "object": "鎏金铜编钟",
                    "accession": "SX-1954-0012",
                    "era": "战国",
                    "relation": "adaptation",
                    "designer": "王小青",
                    "story_zh": "编钟纹样取自馆藏战国编钟。",
                    "story_en": "The pattern comes from a Warring States bell set in our collection.",
                },
                licence={"licensor_unit": "三峡博物馆", "valid_until": "2099-12-31"},
            ),
        ),
        ProductSpec(
            LIBRARY_NAME,
            "28.00",
            quantity=50,
            metadata=_unit_metadata(
                library,
                provenance={"object": "《巴县档案》", "relation": "inspired_by", "designer": "李明"},
                licence=None,
            ),
        ),
    ]
    with own_shop(staff, products, flow=flow) as shop:
        first, second = shop.products
        with taxonomy_attributes(staff, shop.product_type_id) as ids:
            attributes_set(staff, first.id, ids, MUSEUM_ATTRIBUTES)
            _translate(staff, "product", first.id, MUSEUM_EN)
            _translate(staff, "category", shop.category["id"], CATEGORY_EN)
            for product in (first, second):
                searchable(staff, shop, product.name.split()[0], product)
            yield LiveShop(
                museum=museum,
                library=library,
                museum_product={"id": first.id, "slug": first.slug, "name": first.name},
                library_product={"id": second.id, "slug": second.slug, "name": second.name},
                shop=shop,
            )
