"""Live Saleor set-up for storefront tests: two demo products sold by our units, as the catalog sync would
(the museum's with the taxonomy's attributes: material, era, size)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from catalog import saleor_metadata as keys
from catalog import taxonomy
from catalog.saleor_sync import attributes_input, editorjs
from saleor_app.client import SaleorClient
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
    attributes_assigned: list[str]  # ids of our attributes this set-up assigned to the museum product's type
    translations_before: dict[str, tuple[str, dict]]  # {object id: (kind, its EN texts before set-up)}


# What the museum product carries, in the catalog's stored form (a cultural goods listing's attributes).
MUSEUM_TYPE = "wenchuang-goods"
MUSEUM_ATTRIBUTES = {
    "wenchuang-material": "bronze",
    "wenchuang-era": "shang-zhou",
    "wenchuang-length-cm": "18.5",
}


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


def attributes_set(staff: StaffSession, product: dict, values: dict[str, str]) -> list[str]:
    """Give a demo product the taxonomy's cultural-goods attributes (values as the catalog stores them).

    Demo products have populatedb's product types: our attributes (made by the catalog sync, with their
    English translations) are assigned to that type first; returns the ids this call assigned.
    """
    client = SaleorClient(staff.api_url, staff.token)
    wanted = [a.slug for a in taxonomy.attributes_of(MUSEUM_TYPE)]
    edges = client.execute("CatalogAttributesFind", {"slugs": wanted})["attributes"]["edges"]
    ids = {e["node"]["slug"]: e["node"]["id"] for e in edges}
    assert set(ids) == set(wanted), f"attributes {wanted} missing in Saleor: run the catalog sync (seed_demo)"
    product_type = staff.gql(
        "query($id: ID!) { product(id: $id) { productType { id productAttributes { id } } } }",
        {"id": product["id"]},
    )["product"]["productType"]
    have = {a["id"] for a in product_type["productAttributes"]}
    assigned = [i for i in ids.values() if i not in have]
    if assigned:
        client.mutate(
            "CatalogProductTypeAttributesAssign",
            {
                "productTypeId": product_type["id"],
                "operations": [{"id": i, "type": "PRODUCT"} for i in assigned],
            },
            "productAttributeAssign",
        )
    content = {"product_type": MUSEUM_TYPE, "attributes": values}
    client.mutate(
        "CatalogProductUpdate",
        {"id": product["id"], "input": {"attributes": attributes_input(content, ids)}},
        "productUpdate",
    )
    return assigned


def attributes_remove(staff: StaffSession, product: dict, assigned: list[str]) -> None:
    """Clear our attributes' values on the product; unassign from its type those attributes_set assigned."""
    client = SaleorClient(staff.api_url, staff.token)
    wanted = [a.slug for a in taxonomy.attributes_of(MUSEUM_TYPE)]
    edges = client.execute("CatalogAttributesFind", {"slugs": wanted})["attributes"]["edges"]
    ids = {e["node"]["slug"]: e["node"]["id"] for e in edges}
    content = {"product_type": MUSEUM_TYPE, "attributes": {}}
    client.mutate(
        "CatalogProductUpdate",
        {"id": product["id"], "input": {"attributes": attributes_input(content, ids)}},
        "productUpdate",
    )
    if assigned:
        product_type = staff.gql(
            "query($id: ID!) { product(id: $id) { productType { id } } }", {"id": product["id"]}
        )["product"]["productType"]
        data = staff.gql(
            "mutation($t: ID!, $a: [ID!]!) { productAttributeUnassign(productTypeId: $t, attributeIds: $a)"
            " { errors { field message } } }",
            {"t": product_type["id"], "a": assigned},
        )
        assert data["productAttributeUnassign"]["errors"] == []


# The museum product's and its category's English texts, as the catalog sync pushes them (the library
# product keeps none: its English page falls back to the original).
MUSEUM_EN = {
    "name": "Chime-bell bookmark",
    "description": editorjs("A bookmark with the pattern of a Warring States chime bell."),
    "seoTitle": "Chime-bell bookmark | Three Gorges Museum",
    "seoDescription": "Bronze bookmark after a chime bell in the museum's collection.",
}
CATEGORY_EN = {"name": "Cultural drinks"}
_TRANSLATED = "translation(languageCode: EN) { name description seoTitle seoDescription }"


def _translate(staff: StaffSession, kind: str, object_id: str, texts: dict) -> None:
    mutation = f"{kind}Translate"
    data = staff.gql(
        f"mutation($id: ID!, $input: TranslationInput!) {{ {mutation}(id: $id, languageCode: EN,"
        " input: $input) { errors { field message } } }",
        {"id": object_id, "input": texts},
    )
    assert data[mutation]["errors"] == []


def translations_set(staff: StaffSession, product: dict) -> dict[str, tuple[str, dict]]:
    """Give the product and its category English texts; returns what they had, for translations_restore."""
    found = staff.gql(
        f"query($id: ID!) {{ product(id: $id) {{ id {_TRANSLATED} category {{ id {_TRANSLATED} }} }} }}",
        {"id": product["id"]},
    )["product"]
    empty = dict.fromkeys(MUSEUM_EN)  # Saleor cannot delete a translation: a null one reads as none
    before = {
        found["id"]: ("product", found["translation"] or empty),
        found["category"]["id"]: ("category", found["category"]["translation"] or empty),
    }
    _translate(staff, "product", found["id"], MUSEUM_EN)
    _translate(staff, "category", found["category"]["id"], CATEGORY_EN)
    return before


def translations_restore(staff: StaffSession, before: dict[str, tuple[str, dict]]) -> None:
    for object_id, (kind, texts) in before.items():
        _translate(staff, kind, object_id, texts)


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
    assigned = attributes_set(staff, first, MUSEUM_ATTRIBUTES)
    try:
        translations_before = translations_set(staff, first)
    except Exception:  # no fixture teardown follows a failed set-up: undo what this one did
        attributes_remove(staff, first, assigned)
        for product in (first, second):
            clear_metadata(staff, product["id"])
        raise
    return LiveShop(
        museum=museum,
        library=library,
        museum_product=first,
        library_product=second,
        attributes_assigned=assigned,
        translations_before=translations_before,
    )


def live_shop_remove(staff: StaffSession, shop: LiveShop) -> None:
    translations_restore(staff, shop.translations_before)
    attributes_remove(staff, shop.museum_product, shop.attributes_assigned)
    for product in (shop.museum_product, shop.library_product):
        clear_metadata(staff, product["id"])
