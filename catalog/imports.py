"""Bulk import of listings from CSV: a dry run reports every row's errors; a commit writes all or nothing.

One row per variant; rows sharing a `handle` are one product, whose texts and attributes (`attr_<slug>`
columns, see catalog.taxonomy) come from its first row.
Imported listings are drafts: the operator adds images and submits them for review.
"""

from __future__ import annotations

from django import forms
from django.db import transaction

from catalog import listings, taxonomy
from catalog.csv_rows import ImportResult, RowError, read_rows
from catalog.error_codes import CatalogError
from catalog.forms import yuan_to_fen
from catalog.models import CollectionObject, ListingVariant, Relation
from unit_onboarding.models import Unit

ROW_REQUIRED = ("handle", "sku", "price_cny", "stock")
PRODUCT_REQUIRED = ("name_zh", "category", "product_type")  # on a product's first row
REQUIRED = (*ROW_REQUIRED, *PRODUCT_REQUIRED)
COLUMNS = (
    *REQUIRED,
    "name_en",
    "description_zh",
    "description_en",
    "variant_name_zh",
    "variant_name_en",
    "weight_g",
    "accession_number",
    "relation",
    "designer",
    *(f"attr_{slug}" for slug in taxonomy.ATTRIBUTES),
)


def _attributes(row: dict[str, str], bad) -> dict[str, str]:
    """The product type's attributes from `attr_<slug>` columns; a value its type lacks is an error."""
    product_type = row.get("product_type", "")
    raw = {slug: row.get(f"attr_{slug}", "") for slug in taxonomy.ATTRIBUTES}
    values, errors = taxonomy.attributes_clean(product_type, raw)
    for slug, expected in errors.items():
        bad(f"attr_{slug}", expected)
    if product_type in taxonomy.PRODUCT_TYPES:
        for slug, value in raw.items():
            if value and slug not in taxonomy.PRODUCT_TYPE_ATTRIBUTES[product_type]:
                bad(f"attr_{slug}", f"not an attribute of {product_type}")
    return values


def _int(value: str, *, default: int | None = None) -> int | None:
    if value == "" and default is not None:
        return default
    return int(value) if value.isdigit() else None


def _parse(unit: Unit, rows) -> tuple[dict[str, dict], list[RowError]]:
    errors: list[RowError] = []
    products: dict[str, dict] = {}
    objects = {o.accession_number: o for o in CollectionObject.objects.filter(unit=unit)}
    seen_skus: dict[str, int] = {}
    taken = set(
        ListingVariant.objects.filter(sku__in=[r.get("sku", "") for _, r in rows]).values_list(
            "sku", flat=True
        )
    )
    for number, row in rows:

        def bad(column: str, message: str, number=number) -> None:
            errors.append(RowError(number, column, message))

        for column in ROW_REQUIRED:
            if not row.get(column):
                bad(column, "required")
        handle = row.get("handle", "")
        sku = row.get("sku", "")
        if sku in taken:
            bad("sku", "already used by another product")
        elif sku and sku in seen_skus:
            bad("sku", f"repeats row {seen_skus[sku]}")
        seen_skus.setdefault(sku, number)
        try:
            price_fen = yuan_to_fen(row.get("price_cny", "")) if row.get("price_cny") else None
        except forms.ValidationError:
            bad("price_cny", "a positive amount in yuan with at most two decimals, e.g. 128.00")
            price_fen = None
        stock = _int(row.get("stock", ""))
        if row.get("stock") and stock is None:
            bad("stock", "a whole number, 0 or more")
        weight = _int(row.get("weight_g", ""), default=0)
        if weight is None:
            bad("weight_g", "a whole number of grams")
        product = products.get(handle)
        if product is None and handle:
            for column in PRODUCT_REQUIRED:
                if not row.get(column):
                    bad(column, "required on the first row of a product")
            if row.get("category") and row["category"] not in taxonomy.CATEGORIES:
                bad("category", f"one of {', '.join(taxonomy.CATEGORIES)}")
            if row.get("product_type") and row["product_type"] not in taxonomy.PRODUCT_TYPES:
                bad("product_type", f"one of {', '.join(taxonomy.PRODUCT_TYPES)}")
            accession = row.get("accession_number", "")
            obj = objects.get(accession) if accession else None
            if accession and obj is None:
                bad("accession_number", "no such object in this unit's collection")
            relation = row.get("relation", "")
            if accession and relation not in Relation.values:
                bad("relation", f"one of {', '.join(Relation.values)}")
            product = products[handle] = {
                "data": {
                    "name_zh": row.get("name_zh", "")[:250],
                    "name_en": row.get("name_en", "")[:250],
                    "description_zh": row.get("description_zh", ""),
                    "description_en": row.get("description_en", ""),
                    "category": row.get("category", ""),
                    "product_type": row.get("product_type", ""),
                    "collection_object": obj,
                    "relation": relation if obj else "",
                    "designer": row.get("designer", "")[:200],
                    "attributes": _attributes(row, bad),
                },
                "variants": [],
                "row": number,
            }
        if product is not None:
            product["variants"].append(
                {
                    "sku": sku[:64],
                    "name_zh": row.get("variant_name_zh", "")[:100],
                    "name_en": row.get("variant_name_en", "")[:100],
                    "price_fen": price_fen,
                    "stock": stock,
                    "weight_g": weight,
                }
            )
    return products, errors


def listings_import(*, unit: Unit, data: bytes, dry_run: bool, actor) -> ImportResult:
    """Check every row; unless dry_run and only if no row has an error, create the drafts in one go."""
    result = ImportResult(dry_run=dry_run)
    rows = read_rows(data, required=REQUIRED)
    products, result.errors = _parse(unit, rows)
    if result.errors:
        return result
    result.created = len(products)
    if dry_run:
        return result
    try:
        with transaction.atomic():
            for product in products.values():
                listings.listing_create(
                    unit=unit, data=product["data"], variants=product["variants"], actor=actor
                )
    except CatalogError as error:  # e.g. a SKU taken since the check: nothing was written
        result.created = 0
        result.errors.append(RowError(0, error.field or "", error.message))
    return result
