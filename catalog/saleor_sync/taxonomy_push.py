"""The catalog's taxonomy in Saleor: categories, product types and attributes, found or created."""

from __future__ import annotations

from typing import Any

from catalog import taxonomy
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorMutationError


def _find_category(client: SaleorClient, slug: str) -> dict[str, Any] | None:
    return client.execute("CatalogCategoryFind", {"slug": slug}).get("category")


def _create_category(client: SaleorClient, slug: str, name: str) -> dict[str, Any]:
    try:
        return client.mutate(
            "CatalogCategoryCreate", {"input": {"name": name, "slug": slug}}, "categoryCreate"
        )["category"]
    except SaleorMutationError:  # made meanwhile by a concurrent push
        if found := _find_category(client, slug):
            return found
        raise


def ensure_category(client: SaleorClient, slug: str) -> str:
    """The category's id: created with the taxonomy's Chinese name if missing, given its English name
    as the EN translation when it has none (a name set in the Dashboard is kept)."""
    name_zh, name_en = taxonomy.CATEGORIES.get(slug, (slug, ""))
    category = _find_category(client, slug) or _create_category(client, slug, name_zh)
    if name_en and not _english(category):
        client.mutate(
            "CatalogCategoryTranslate", {"id": category["id"], "name": name_en}, "categoryTranslate"
        )
    return category["id"]


def _find_product_type(client: SaleorClient, slug: str) -> dict[str, Any] | None:
    edges = (client.execute("CatalogProductTypeFind", {"slug": slug}).get("productTypes") or {}).get("edges")
    return edges[0]["node"] if edges else None


def ensure_product_type(client: SaleorClient, slug: str) -> dict[str, Any]:
    """The product type's id and assigned product attributes, created if missing."""
    if found := _find_product_type(client, slug):
        return found
    name = taxonomy.PRODUCT_TYPES.get(slug, (slug, slug))[0]
    try:
        return client.mutate(
            "CatalogProductTypeCreate",
            {"input": {"name": name, "slug": slug, "kind": "NORMAL", "isShippingRequired": True}},
            "productTypeCreate",
        )["productType"]
    except SaleorMutationError:
        if found := _find_product_type(client, slug):
            return found
        raise


def _attribute_create_input(attribute: taxonomy.Attribute) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": attribute.name_zh,
        "slug": attribute.slug,
        "type": "PRODUCT_TYPE",
        "inputType": attribute.input_type,
        # Required is enforced before review; in Saleor it would break pushes of older listings.
        "valueRequired": False,
        "visibleInStorefront": True,
    }
    if attribute.unit:
        data["unit"] = attribute.unit
    if attribute.choices:
        data["values"] = [
            {"name": zh, "externalReference": attribute.choice_reference(value)}
            for value, zh, _en in attribute.choices
        ]
    return data


def find_attributes(client: SaleorClient, slugs: list[str]) -> dict[str, dict[str, Any]]:
    edges = (client.execute("CatalogAttributesFind", {"slugs": slugs}).get("attributes") or {}).get("edges")
    return {e["node"]["slug"]: e["node"] for e in edges or []}


def _choices(node: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{external reference: value node} of an attribute's dropdown values."""
    edges = (node.get("choices") or {}).get("edges") or []
    return {e["node"]["externalReference"]: e["node"] for e in edges if e["node"].get("externalReference")}


def _english(node: dict[str, Any]) -> str:
    return (node.get("translation") or {}).get("name") or ""


def _ensure_attribute_names(
    client: SaleorClient, attribute: taxonomy.Attribute, node: dict[str, Any]
) -> None:
    """Saleor's names as the taxonomy has them: Chinese names, English ones as EN translations.

    The taxonomy is the source of these shared names (renames propagate); only differences cost a call.
    """
    if node.get("name") != attribute.name_zh:
        client.mutate(
            "CatalogAttributeRename", {"id": node["id"], "name": attribute.name_zh}, "attributeUpdate"
        )
    if _english(node) != attribute.name_en:
        client.mutate(
            "CatalogAttributeTranslate", {"id": node["id"], "name": attribute.name_en}, "attributeTranslate"
        )
    choices = _choices(node)
    for value, zh, en in attribute.choices:
        choice = choices.get(attribute.choice_reference(value))
        if choice is None:
            continue
        if choice.get("name") != zh:
            client.mutate(
                "CatalogAttributeValueRename", {"id": choice["id"], "name": zh}, "attributeValueUpdate"
            )
        if _english(choice) != en:
            client.mutate(
                "CatalogAttributeValueTranslate", {"id": choice["id"], "name": en}, "attributeValueTranslate"
            )


def ensure_attribute(client: SaleorClient, attribute: taxonomy.Attribute, node: dict[str, Any] | None) -> str:
    """The attribute's id: created with its values if missing, values the taxonomy gained added, named."""
    if node is None:
        try:
            node = client.mutate(
                "CatalogAttributeCreate", {"input": _attribute_create_input(attribute)}, "attributeCreate"
            )["attribute"]
        except SaleorMutationError:
            node = find_attributes(client, [attribute.slug]).get(attribute.slug)
            if node is None:
                raise
    have = _choices(node)
    missing = [
        {"name": zh, "externalReference": attribute.choice_reference(value)}
        for value, zh, _en in attribute.choices
        if attribute.choice_reference(value) not in have
    ]
    if missing:
        node = client.mutate(
            "CatalogAttributeValuesAdd", {"id": node["id"], "values": missing}, "attributeUpdate"
        )["attribute"]
    _ensure_attribute_names(client, attribute, node)
    return node["id"]


def ensure_attributes(client: SaleorClient, product_type: dict[str, Any], slug: str) -> dict[str, str]:
    """{attribute slug: id} of the product type's attributes, each existing and assigned to the type."""
    wanted = taxonomy.attributes_of(slug)
    if not wanted:
        return {}
    found = find_attributes(client, [a.slug for a in wanted])
    ids = {a.slug: ensure_attribute(client, a, found.get(a.slug)) for a in wanted}
    assigned = {a["slug"] for a in product_type.get("productAttributes") or []}
    operations = [{"id": ids[a.slug], "type": "PRODUCT"} for a in wanted if a.slug not in assigned]
    if operations:
        client.mutate(
            "CatalogProductTypeAttributesAssign",
            {"productTypeId": product_type["id"], "operations": operations},
            "productAttributeAssign",
        )
    return ids


def attributes_input(content: dict[str, Any], ids: dict[str, str]) -> list[dict[str, Any]]:
    """Every attribute of the product type, an empty one cleared, as productCreate/Update take them."""
    values = content.get("attributes") or {}
    result = []
    for attribute in taxonomy.attributes_of(content["product_type"]):
        value = values.get(attribute.slug, "")
        entry: dict[str, Any] = {"id": ids[attribute.slug]}
        if attribute.input_type == "DROPDOWN":
            reference = attribute.choice_reference(value) if value else None
            # {"value": None} and null texts clear the value (an empty numeric string is refused).
            entry["dropdown"] = {"externalReference": reference} if reference else {"value": None}
        elif attribute.input_type == "NUMERIC":
            entry["numeric"] = value or None
        else:
            entry["plainText"] = value or None
        result.append(entry)
    return result
