"""The calls of one push of a listing's approved revision: product, translation, variants, media, channel."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.storage import storages

from catalog import saleor_metadata as meta
from catalog import taxonomy
from catalog.models import CollectionObject, ImageAsset, IpLicence, Listing, ListingVariant
from catalog.saleor_sync.editorjs import editorjs, editorjs_text
from catalog.saleor_sync.errors import SyncNotPossible
from catalog.saleor_sync.prices import price_decimal
from catalog.saleor_sync.taxonomy_push import (
    attributes_input,
    ensure_attributes,
    ensure_category,
    ensure_product_type,
)
from core import clock
from saleor_app.client import SaleorClient, mutation_payload
from saleor_app.errors import SaleorError, SaleorMutationError, UserError
from unit_onboarding.models import Unit
from unit_onboarding.selectors import agreement_version_in_force

# Retry-safe: the product is looked up by its external reference and slug (both derived from the listing's
# uid) before one is created; variants are matched by SKU; media carry the image's uid in private metadata.
# Ids are stored on the listing as soon as they are known.
ASSET_KEY = "wenchuang.asset"
T = TypeVar("T")


MEDIA_SIZE = 2048  # the largest derivative is what Saleor keeps and thumbnails from


def product_metadata(listing: Listing, content: dict[str, Any]) -> list[dict[str, str]]:
    """The public metadata the storefront reads (keys in catalog.saleor_metadata)."""
    unit: Unit = listing.unit
    version = agreement_version_in_force(unit, clock.now())
    values = {
        meta.UNIT_ID: str(unit.pk),
        meta.UNIT_SLUG: str(unit.uid),
        meta.UNIT_NAME_ZH: unit.display_name or unit.legal_name_zh,
        meta.UNIT_NAME_EN: unit.legal_name_en or unit.display_name,
        meta.AGREEMENT_VERSION: str(version.pk) if version else "",
        meta.LISTING_ID: str(listing.pk),
        meta.PROVENANCE: "",
        meta.LICENCE: "",
    }
    obj = CollectionObject.objects.filter(pk=content.get("collection_object_id")).first()
    if obj is not None:
        values[meta.PROVENANCE] = json.dumps(
            {
                "object": obj.title_zh,
                "object_en": obj.title_en,
                "accession": obj.accession_number,
                "era": obj.era,
                "material": obj.material,
                "relation": content.get("relation", ""),
                "designer": content.get("designer", ""),
                "story_zh": obj.story_zh,
                "story_en": obj.story_en,
                "public_domain": obj.public_domain,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
    licence = IpLicence.objects.select_related("licensor").filter(pk=content.get("licence_id")).first()
    if licence is not None:
        values[meta.LICENCE] = json.dumps(
            {"licensor_unit": str(licence.licensor), "valid_until": licence.valid_until.isoformat()},
            ensure_ascii=False,
            separators=(",", ":"),
        )
    return [{"key": k, "value": v} for k, v in values.items()]


def fingerprint(listing: Listing, content: dict[str, Any]) -> dict[str, Any]:
    """What a push sets that the Dashboard can change: compared with product webhooks."""
    return {
        "name": content["name_zh"],
        "slug": listing.slug,
        "description": editorjs_text(editorjs(content["description_zh"])),
        "seo_title": content["seo_title"],
        "seo_description": content["seo_description"],
        "prices": {v["sku"]: v["price_fen"] for v in content["variants"]},
        # Every attribute of the type, an empty one as "", so a value set in the Dashboard is seen too.
        "attributes": {
            a.slug: (content.get("attributes") or {}).get(a.slug, "")
            for a in taxonomy.attributes_of(content["product_type"])
        },
    }


def _find_product(client: SaleorClient, listing: Listing) -> str | None:
    data = client.execute(
        "CatalogProductFind", {"externalReference": listing.external_reference, "slug": listing.slug}
    )
    found = data.get("byReference") or data.get("bySlug")
    return found["id"] if found else None


def product_input_of(
    listing: Listing, content: dict[str, Any], category_id: str, attribute_ids: dict[str, str]
) -> dict[str, Any]:
    return {
        "name": content["name_zh"],
        "slug": listing.slug,
        "description": editorjs(content["description_zh"]),
        "category": category_id,
        "seo": {"title": content["seo_title"], "description": content["seo_description"]},
        "externalReference": listing.external_reference,
        "metadata": product_metadata(listing, content),
        "attributes": attributes_input(content, attribute_ids),
    }


def _ensure_product(client: SaleorClient, listing: Listing, content: dict[str, Any]) -> str:
    category_id = ensure_category(client, content["category"])
    # Updates need the type too: its attributes must exist and be assigned before values are set.
    product_type = ensure_product_type(client, content["product_type"])
    attribute_ids = ensure_attributes(client, product_type, content["product_type"])
    product_input = product_input_of(listing, content, category_id, attribute_ids)
    product_id = listing.saleor_product_id or _find_product(client, listing)
    if product_id:
        client.mutate("CatalogProductUpdate", {"id": product_id, "input": product_input}, "productUpdate")
    else:
        try:
            product_id = client.mutate(
                "CatalogProductCreate",
                {"input": {**product_input, "productType": product_type["id"]}},
                "productCreate",
            )["product"]["id"]
        except SaleorMutationError:
            # An earlier attempt created it after all (e.g. the answer was lost): use that product.
            product_id = _find_product(client, listing)
            if not product_id:
                raise
            client.mutate("CatalogProductUpdate", {"id": product_id, "input": product_input}, "productUpdate")
    Listing.objects.filter(pk=listing.pk).update(saleor_product_id=product_id)
    return product_id


def translation_input(content: dict[str, Any]) -> dict[str, Any] | None:
    """The product's English name and description, or None when it has neither."""
    if not (content["name_en"] or content["description_en"]):
        return None
    return {
        "name": content["name_en"] or content["name_zh"],
        "description": editorjs(content["description_en"]),
    }


def _translate(client: SaleorClient, product_id: str, content: dict[str, Any]) -> None:
    if (translation := translation_input(content)) is None:
        return
    client.mutate("CatalogProductTranslate", {"id": product_id, "input": translation}, "productTranslate")


def _bulk_check(name: str, payload: dict[str, Any]) -> None:
    errors = [e for r in payload.get("results") or [] for e in r.get("errors") or []]
    if errors:
        raise SaleorMutationError(
            name, [UserError(e.get("field"), e.get("code"), e.get("message") or "") for e in errors]
        )


def _weight(variant: dict[str, Any]) -> dict[str, Any] | None:
    return {"value": variant["weight_g"], "unit": "G"} if variant["weight_g"] else None


def variant_create_input(
    listing: Listing, variant: dict[str, Any], quantity: int, channel_id: str, warehouse_id: str
) -> dict[str, Any]:
    """A new variant with its price in the channel and its stock in the unit's warehouse."""
    return {
        "sku": variant["sku"],
        "name": variant["name_zh"] or variant["sku"],
        "attributes": [],
        "trackInventory": True,
        "weight": _weight(variant),
        "externalReference": f"{listing.external_reference}-{variant['sku']}",
        "channelListings": [{"channelId": channel_id, "price": price_decimal(variant["price_fen"])}],
        "stocks": [{"warehouse": warehouse_id, "quantity": quantity}],
    }


def _sync_variants(
    client: SaleorClient,
    listing: Listing,
    product_id: str,
    content: dict[str, Any],
    state: dict[str, Any],
    channel_id: str,
    warehouse_id: str,
) -> dict[str, str]:
    stock = dict(ListingVariant.objects.filter(listing=listing).values_list("sku", "stock"))
    existing = {v["sku"]: v for v in state["variants"]}
    wanted = {v["sku"]: v for v in content["variants"]}
    creates, updates = [], []
    for sku, v in wanted.items():
        weight = _weight(v)
        price = price_decimal(v["price_fen"])
        quantity = stock.get(sku, 0)
        if sku not in existing:
            creates.append(variant_create_input(listing, v, quantity, channel_id, warehouse_id))
            continue
        saleor = existing[sku]
        channel_listing = next(
            (c for c in saleor["channelListings"] if c["channel"]["id"] == channel_id), None
        )
        stock_row = next((s for s in saleor["stocks"] if s["warehouse"]["id"] == warehouse_id), None)
        updates.append(
            {
                "id": saleor["id"],
                "name": v["name_zh"] or sku,
                "weight": weight,
                "channelListings": (
                    {"update": [{"channelListing": channel_listing["id"], "price": price}]}
                    if channel_listing
                    else {"create": [{"channelId": channel_id, "price": price}]}
                ),
                "stocks": (
                    {"update": [{"stock": stock_row["id"], "quantity": quantity}]}
                    if stock_row
                    else {"create": [{"warehouse": warehouse_id, "quantity": quantity}]}
                ),
            }
        )
    ids = {sku: existing[sku]["id"] for sku in wanted if sku in existing}
    if updates:
        payload = client.mutate(
            "CatalogVariantsUpdate", {"product": product_id, "variants": updates}, "productVariantBulkUpdate"
        )
        _bulk_check("CatalogVariantsUpdate", payload)
    if creates:
        payload = client.mutate(
            "CatalogVariantsCreate", {"product": product_id, "variants": creates}, "productVariantBulkCreate"
        )
        _bulk_check("CatalogVariantsCreate", payload)
        ids.update({r["productVariant"]["sku"]: r["productVariant"]["id"] for r in payload["results"]})
    for sku, v in wanted.items():
        if v["name_en"]:
            client.mutate(
                "CatalogVariantTranslate", {"id": ids[sku], "name": v["name_en"]}, "productVariantTranslate"
            )
    gone = [v["id"] for sku, v in existing.items() if sku not in wanted]
    if gone:
        client.mutate("CatalogVariantsDelete", {"ids": gone}, "productVariantBulkDelete")
    Listing.objects.filter(pk=listing.pk).update(saleor_variant_ids=ids)
    return ids


def _derivative_bytes(asset: ImageAsset) -> tuple[str, bytes]:
    entries = sorted(asset.derivatives, key=lambda e: e["size"])
    entry = next((e for e in entries if e["size"] == MEDIA_SIZE), entries[-1])
    with storages["default"].open(entry["name"], "rb") as handle:
        return f"{asset.uid.hex}.webp", handle.read()


def ready_asset(assets: dict[str, ImageAsset], uid: str) -> ImageAsset:
    """The image to upload, refused while it is not processed yet."""
    asset = assets.get(uid)
    if asset is None or asset.status != ImageAsset.Status.READY:
        raise SyncNotPossible(f"image {uid} is not processed yet")
    return asset


MEDIA_PER_REQUEST = 4  # mutations in one request: Saleor's default GRAPHQL_MUTATION_COUNT_LIMIT


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last shorter)."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def media_upload(
    client: SaleorClient, product_id: str, images: list[tuple[ImageAsset, str]]
) -> list[str | SaleorError]:
    """Upload up to four (asset, alt) of one product in one request: each a media id or why it failed.

    No database access (runs in threads). A media id is returned even when Saleor refused another image
    of the request, so the caller records what exists.
    """
    variables: dict[str, Any] = {"product": product_id}
    files = {}
    for n, (asset, alt) in enumerate(images, start=1):
        files[f"image{n}"] = (*_derivative_bytes(asset), "image/webp")
        variables[f"alt{n}"] = alt
    for n in range(2, MEDIA_PER_REQUEST + 1):
        variables[f"with{n}"] = n <= len(images)
    data = client.upload("CatalogMediaCreateBatch", variables, files)
    return [_media_id(data, n) for n in range(1, len(images) + 1)]


def _media_id(data: dict[str, Any], n: int) -> str | SaleorError:
    try:
        return mutation_payload("CatalogMediaCreateBatch", data, f"media{n}")["media"]["id"]
    except SaleorMutationError as exc:
        return exc


def media_mark(client: SaleorClient, marks: list[tuple[str, str]]) -> list[SaleorError | None]:
    """Mark up to four uploaded media with their asset's uid (private metadata), in one request."""
    variables: dict[str, Any] = {}
    for n in range(1, MEDIA_PER_REQUEST + 1):
        # a slot left out still needs its variables: it repeats the first, which is never run twice
        media_id, uid = marks[n - 1] if n <= len(marks) else marks[0]
        variables[f"id{n}"], variables[f"input{n}"] = media_id, [{"key": ASSET_KEY, "value": uid}]
        if n > 1:
            variables[f"with{n}"] = n <= len(marks)
    data = client.execute("PrivateMetadataUpdateBatch", variables)
    outcomes: list[SaleorError | None] = []
    for n in range(1, len(marks) + 1):
        try:
            mutation_payload("PrivateMetadataUpdateBatch", data, f"update{n}")
            outcomes.append(None)
        except SaleorMutationError as exc:
            outcomes.append(exc)
    return outcomes


def media_upload_marked(
    client: SaleorClient, product_id: str, images: list[tuple[str, ImageAsset, str]]
) -> tuple[dict[str, str], dict[str, SaleorError]]:
    """Upload one product's (uid, asset, alt) images and mark them: ({uid: media id}, {uid: failure}).

    Every media known to exist in Saleor is in the first, marked or not, even when Saleor became unreachable
    half way (an outage stops the uploads, never loses an id), so a retry never uploads it twice.
    """
    ids: dict[str, str] = {}
    failed: dict[str, SaleorError] = {}
    uploads = list(chunks(images, MEDIA_PER_REQUEST))
    for n, batch in enumerate(uploads):
        try:
            outcomes = media_upload(client, product_id, [(asset, alt) for _, asset, alt in batch])
        except SaleorError as exc:  # an outage: this batch and the rest are not uploaded
            failed |= {uid: exc for later in uploads[n:] for uid, _, _ in later}
            break
        for (uid, _, _), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, SaleorError):
                failed[uid] = outcome
            else:
                ids[uid] = outcome
    marks = list(chunks([(media_id, uid) for uid, media_id in ids.items()], MEDIA_PER_REQUEST))
    for n, batch in enumerate(marks):
        try:
            outcomes = media_mark(client, batch)
        except SaleorError as exc:  # an outage: the rest are unmarked, but their ids are returned
            failed |= {uid: exc for later in marks[n:] for _, uid in later}
            break
        for (_, uid), outcome in zip(batch, outcomes, strict=True):
            if outcome is not None:
                failed[uid] = outcome
    return ids, failed


def _sync_media(
    client: SaleorClient, listing: Listing, product_id: str, content: dict[str, Any], state: dict[str, Any]
) -> dict[str, str]:
    existing = {m["assetUid"]: m["id"] for m in state["media"] if m.get("assetUid")}
    in_saleor = {m["id"] for m in state["media"]}
    # an upload whose marking failed is known by the id recorded for it, so it is not uploaded again
    recorded = {uid: mid for uid, mid in (listing.saleor_media_ids or {}).items() if mid in in_saleor}
    existing = recorded | existing
    wanted = [i["asset"] for i in content["images"]]
    alts = {i["asset"]: i["alt"] for i in content["images"]}
    assets = {str(a.uid): a for a in ImageAsset.objects.filter(uid__in=wanted)}
    for uid, media_id in existing.items():
        if uid not in wanted:  # only media this service uploaded; others are the Dashboard's business
            client.mutate("CatalogMediaDelete", {"id": media_id}, "productMediaDelete")
    ids = {uid: existing[uid] for uid in wanted if uid in existing}
    new = [uid for uid in wanted if uid not in existing]
    missing = [(uid, ready_asset(assets, uid), alts[uid] or content["name_zh"]) for uid in new]
    uploaded, failed = media_upload_marked(client, product_id, missing)
    ids.update(uploaded)
    Listing.objects.filter(pk=listing.pk).update(saleor_media_ids=ids)
    if failed:
        raise next(iter(failed.values()))
    return ids


def _sync_channel(client: SaleorClient, listing: Listing, product_id: str, channel_id: str) -> None:
    client.mutate(
        "CatalogProductChannel",
        {"id": product_id, "input": {"updateChannels": [channel_listing_input(listing, channel_id)]}},
        "productChannelListingUpdate",
    )


def product_state(client: SaleorClient, product_id: str) -> dict[str, Any]:
    product = client.execute("CatalogProductState", {"id": product_id}).get("product")
    if product is None:
        raise SyncNotPossible(f"product {product_id} vanished from Saleor during the push")
    return product


def sales_channel(client: SaleorClient) -> dict[str, Any]:
    """The channel listings are sold in (SALEOR_CHANNEL_SLUG)."""
    channel = client.execute("CatalogChannel", {"slug": settings.SALEOR_CHANNEL_SLUG}).get("channel")
    if channel is None:
        raise SyncNotPossible(f"Saleor has no channel {settings.SALEOR_CHANNEL_SLUG!r} (SALEOR_CHANNEL_SLUG)")
    return channel


def check_pushable(listing: Listing, content: dict[str, Any], channel: dict[str, Any]) -> None:
    """Refuse a push that cannot work: the unit has no warehouse yet, or the channel's currency differs."""
    unit = listing.unit
    if not unit.saleor_warehouse_id:
        raise SyncNotPossible(
            f"unit {unit.pk} has no Saleor warehouse yet (provisioning: {unit.provisioning})"
        )
    currencies = {v["currency"] for v in content["variants"]}
    if currencies != {channel["currencyCode"]}:
        raise SyncNotPossible(
            f"channel {channel['slug']} sells in {channel['currencyCode']}, "
            f"the listing in {', '.join(sorted(currencies))}"
        )


def channel_listing_input(listing: Listing, channel_id: str) -> dict[str, Any]:
    """The product's listing in the channel: visible while on sale and not archived."""
    visible = listing.on_sale and listing.state != Listing.State.ARCHIVED
    return {
        "channelId": channel_id,
        "isPublished": visible,
        "visibleInListings": visible,
        "isAvailableForPurchase": visible,
    }


def listing_push(*, listing: Listing, client: SaleorClient, channel: dict[str, Any] | None = None) -> None:
    """The calls of one push (no bookkeeping): product, translation, variants, media, channel."""
    content = listing.live_revision.content
    unit = listing.unit
    channel = channel or sales_channel(client)
    check_pushable(listing, content, channel)
    product_id = _ensure_product(client, listing, content)
    _translate(client, product_id, content)
    # Saleor prices a variant in a channel only once its product is listed there (published or not).
    _sync_channel(client, listing, product_id, channel["id"])
    state = product_state(client, product_id)
    _sync_variants(client, listing, product_id, content, state, channel["id"], unit.saleor_warehouse_id)
    _sync_media(client, listing, product_id, content, state)
