"""Bulk import of listings from CSV: a check reports every row's errors; an import creates each good
product and refuses each bad one with its rows' errors (one bad row never fails the whole file).

One row per variant; rows sharing a `handle` are one product, whose texts and attributes (`attr_<slug>`
columns, see catalog.taxonomy) come from its first row.
Imported listings are drafts, or submitted for review when asked (a trusted unit's are then approved at
once, put on sale if asked, and pushed to Saleor together in bulk). Large files run in the worker
(`listings_import_request`), with progress the import's page shows.
"""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.db.models import F, Func, Value
from django.utils import translation
from django.utils.translation import gettext as _

from catalog import index_hooks, listings, taxonomy
from catalog.csv_rows import ImportResult, RowError, read_rows
from catalog.error_codes import CatalogError
from catalog.error_codes import CatalogErrorCode as Code
from catalog.forms import yuan_to_fen
from catalog.models import CollectionObject, Listing, ListingImport, ListingVariant, Relation
from catalog.saleor_sync import sync_batch
from catalog.tasks import run_listing_import
from core import clock
from core.db import session_lock
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
                bad(f"attr_{slug}", _("not an attribute of %(type)s") % {"type": product_type})
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
                bad(column, _("required"))
        handle = row.get("handle", "")
        sku = row.get("sku", "")
        if sku in taken:
            bad("sku", _("already used by another product"))
        elif sku and sku in seen_skus:
            bad("sku", _("repeats row %(row)s") % {"row": seen_skus[sku]})
        seen_skus.setdefault(sku, number)
        try:
            price_fen = yuan_to_fen(row.get("price_cny", "")) if row.get("price_cny") else None
        except forms.ValidationError:
            bad("price_cny", _("a positive amount in yuan with at most two decimals, e.g. 128.00"))
            price_fen = None
        stock = _int(row.get("stock", ""))
        if row.get("stock") and stock is None:
            bad("stock", _("a whole number, 0 or more"))
        weight = _int(row.get("weight_g", ""), default=0)
        if weight is None:
            bad("weight_g", _("a whole number of grams"))
        product = products.get(handle)
        if product is None and handle:
            for column in PRODUCT_REQUIRED:
                if not row.get(column):
                    bad(column, _("required on the first row of a product"))
            if row.get("category") and row["category"] not in taxonomy.CATEGORIES:
                bad("category", _("one of %(values)s") % {"values": ", ".join(taxonomy.CATEGORIES)})
            if row.get("product_type") and row["product_type"] not in taxonomy.PRODUCT_TYPES:
                bad("product_type", _("one of %(values)s") % {"values": ", ".join(taxonomy.PRODUCT_TYPES)})
            accession = row.get("accession_number", "")
            obj = objects.get(accession) if accession else None
            if accession and obj is None:
                bad("accession_number", _("no such object in this unit's collection"))
            relation = row.get("relation", "")
            if accession and relation not in Relation.values:
                bad("relation", _("one of %(values)s") % {"values": ", ".join(Relation.values)})
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


def _refused_handles(rows, errors: list[RowError]) -> set[str]:
    """Handles of the products one of whose rows has an error."""
    bad_rows = {e.row for e in errors}
    return {row.get("handle", "") for number, row in rows if number in bad_rows}


def listings_import(
    *,
    unit: Unit,
    data: bytes,
    dry_run: bool,
    actor,
    submit: bool = False,
    on_sale: bool = False,
    job: ListingImport | None = None,
) -> ImportResult:
    """Check every row; unless dry_run, create each product none of whose rows has an error.

    With `job` (the worker's run), products already created by an earlier run of the same import are
    skipped and progress is written to the job as it goes.
    """
    result = ImportResult(dry_run=dry_run, partial=True)
    rows = read_rows(data, required=REQUIRED)
    if job is not None and job.handles_done:
        done = set(job.handles_done)
        result.created = len(done)
        rows = [(n, row) for n, row in rows if row.get("handle", "") not in done]
    products, result.errors = _parse(unit, rows)
    refused = _refused_handles(rows, result.errors)
    good = {handle: p for handle, p in products.items() if handle and handle not in refused}
    result.refused = sum(1 for handle in products if handle in refused)
    if dry_run:
        result.created = len(good)
        return result
    if job is not None:
        ListingImport.objects.filter(pk=job.pk).update(
            total=result.created + len(good) + result.refused, processed=result.created + result.refused
        )
    # a trusted unit's products approved here go to Saleor, and into the search index, together
    with sync_batch(), index_hooks.batch():
        for handle, product in good.items():
            try:
                with transaction.atomic():
                    listing = _create(unit, product, actor=actor, submit=submit, on_sale=on_sale)
                    if job is not None:
                        ListingImport.objects.filter(pk=job.pk).update(
                            created=F("created") + 1,
                            processed=F("processed") + 1,
                            handles_done=Func(F("handles_done"), Value(handle), function="array_append"),
                            listing_ids=Func(F("listing_ids"), Value(listing.pk), function="array_append"),
                        )
            except CatalogError as error:  # e.g. a SKU taken since the check
                result.errors.append(RowError(product["row"], error.field or "", error.message))
                result.refused += 1
                if job is not None:
                    ListingImport.objects.filter(pk=job.pk).update(processed=F("processed") + 1)
            else:
                result.created += 1
    return result


def _create(unit: Unit, product: dict, *, actor, submit: bool, on_sale: bool) -> Listing:
    listing = listings.listing_create(
        unit=unit, data=product["data"], variants=product["variants"], actor=actor
    )
    if submit:
        listing = listings.listing_submit(listing=listing, actor=actor)
        if on_sale and listing.live_revision_id:  # approved at once: a trusted unit
            listing = listings.listing_publish(listing=listing, on_sale=True, actor=actor)
    return listing


def listings_import_request(
    *, unit: Unit, data: bytes, filename: str, submit: bool, on_sale: bool, actor
) -> ListingImport:
    """Keep the file and run the import in the worker; a file that cannot be read is refused now."""
    read_rows(data, required=REQUIRED)  # CsvUnreadable: the form says why, nothing is queued
    job = ListingImport.objects.create(
        unit=unit,
        created_by=actor,
        filename=filename[:255],
        data=data,
        submit=submit,
        on_sale=on_sale,
        language=translation.get_language() or "",
    )
    transaction.on_commit(lambda: run_listing_import.delay(job.pk))
    return job


def listings_import_retry(*, job: ListingImport) -> ListingImport:
    """Run a stopped import again (what it created stays, nothing is created twice); refused otherwise."""
    updated = ListingImport.objects.filter(pk=job.pk, state=ListingImport.State.FAILED).update(
        state=ListingImport.State.QUEUED, error=""
    )
    if not updated:
        raise CatalogError(Code.IMPORT_NOT_STOPPED)
    transaction.on_commit(lambda: run_listing_import.delay(job.pk))
    job.refresh_from_db()
    return job


def listings_import_run(*, import_id: int) -> str:
    """The worker's run of an import (again after a crash: what was created is not created twice; never
    beside another run of the same import, e.g. a task delivered twice)."""
    with session_lock(f"wc-listing-import:{import_id}") as held:
        if not held:
            return "running elsewhere"
        return _run(import_id)


def _run(import_id: int) -> str:
    with transaction.atomic():
        job = ListingImport.objects.select_for_update().filter(pk=import_id).first()
        if job is None or job.state == ListingImport.State.DONE:
            return "nothing to do"
        job.state = ListingImport.State.RUNNING
        job.save(update_fields=["state"])
    try:
        with translation.override(job.language or None):  # the rows' problems in the importer's language
            result = listings_import(
                unit=job.unit,
                data=bytes(job.data),
                dry_run=False,
                actor=job.created_by,
                submit=job.submit,
                on_sale=job.on_sale,
                job=job,
            )
    except Exception as exc:
        ListingImport.objects.filter(pk=job.pk).update(
            state=ListingImport.State.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=clock.now()
        )
        raise
    ListingImport.objects.filter(pk=job.pk).update(
        state=ListingImport.State.DONE,
        errors=[{"row": e.row, "column": e.column, "message": e.message} for e in result.errors],
        finished_at=clock.now(),
    )
    return f"{result.created} created, {result.refused} refused"
