"""Live Saleor set-up for storefront tests: two demo products sold by our units, as the catalog sync would."""

from __future__ import annotations

import json
from dataclasses import dataclass

from catalog import saleor_metadata as keys
from tests.live_saleor import StaffSession
from tests.unit_onboarding.factories import UnitFactory
from unit_onboarding.models import Unit

OUR_KEYS = [
    keys.UNIT_ID,
    keys.UNIT_SLUG,
    keys.UNIT_NAME_ZH,
    keys.UNIT_NAME_EN,
    keys.AGREEMENT_VERSION,
    keys.PROVENANCE,
    keys.LICENCE,
]


@dataclass
class LiveShop:
    museum: Unit
    library: Unit
    museum_product: dict  # {"id", "slug", "name"}
    library_product: dict


def _two_demo_products(staff: StaffSession) -> tuple[dict, dict]:
    """The first two demo products by name with stock to sell: stable across runs (orders made by tests
    come and go; the first product is also the one tests/saleor_app's recorded product_updated is about)."""
    data = staff.gql(
        '{ products(first: 30, channel: "default-channel", sortBy: {field: NAME, direction: ASC}) {'
        " edges { node { id slug name isAvailableForPurchase"
        " variants { quantityAvailable(countryCode: CN) } } } } }"
    )
    products = [
        edge["node"]
        for edge in data["products"]["edges"]
        if edge["node"]["isAvailableForPurchase"]
        and edge["node"]["variants"]
        and all((v.get("quantityAvailable") or 0) >= 5 for v in edge["node"]["variants"])
    ]
    assert len(products) >= 2, "no two available demo products (run Saleor's populatedb)"
    return products[0], products[1]


def _unit_metadata(unit: Unit, *, provenance: dict, licence: dict | None) -> list[dict]:
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
    return [{"key": k, "value": v} for k, v in items.items()]


def set_metadata(staff: StaffSession, product_id: str, items: list[dict]) -> None:
    data = staff.gql(
        "mutation($id: ID!, $input: [MetadataInput!]!) { updateMetadata(id: $id, input: $input)"
        " { errors { field message } } }",
        {"id": product_id, "input": items},
    )
    assert data["updateMetadata"]["errors"] == []


def clear_metadata(staff: StaffSession, product_id: str) -> None:
    staff.gql(
        "mutation($id: ID!, $keys: [String!]!)"
        " { deleteMetadata(id: $id, keys: $keys) { errors { message } } }",
        {"id": product_id, "keys": OUR_KEYS},
    )


def live_shop_create(staff: StaffSession) -> LiveShop:
    """Two active units in this service's DB and two demo products carrying their metadata."""
    first, second = _two_demo_products(staff)
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
    set_metadata(
        staff,
        first["id"],
        _unit_metadata(
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
    )
    set_metadata(
        staff,
        second["id"],
        _unit_metadata(
            library,
            provenance={"object": "《巴县档案》", "relation": "inspired_by", "designer": "李明"},
            licence=None,
        ),
    )
    return LiveShop(museum=museum, library=library, museum_product=first, library_product=second)


def live_shop_remove(staff: StaffSession, shop: LiveShop) -> None:
    for product in (shop.museum_product, shop.library_product):
        clear_metadata(staff, product["id"])
