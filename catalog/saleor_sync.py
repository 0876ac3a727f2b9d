"""Push a listing's approved revision to Saleor, idempotently; nothing unapproved ever leaves this service.

Retry-safe: the product is looked up by its external reference and slug (both derived from the listing's
uid) before one is created; variants are matched by SKU; media carry the image's uid in private metadata.
Ids are stored on the listing as soon as they are known. A listing marked "changed in Saleor" is not
pushed until its operator decides which side wins (see catalog.saleor_changes).
"""

from __future__ import annotations

import html
import json
import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.dateparse import parse_datetime

from catalog import saleor_metadata as meta
from catalog import taxonomy
from catalog.models import CollectionObject, ImageAsset, IpLicence, Listing, ListingVariant
from catalog.tasks import sync_listing
from core import clock
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorError, SaleorMutationError, UserError
from saleor_app.selectors import installation_default
from unit_onboarding.models import Unit
from unit_onboarding.selectors import agreement_version_in_force

logger = logging.getLogger(__name__)

Sync = Listing.Sync
ASSET_KEY = "wenchuang.asset"
MEDIA_SIZE = 2048  # the largest derivative is what Saleor keeps and thumbnails from


class SyncNotPossible(SaleorError):
    """The push cannot happen yet (no installation, unit not provisioned, wrong channel currency)."""


def _client() -> SaleorClient:
    installation = installation_default()
    if installation is None or not installation.token:
        raise SyncNotPossible("the app is not installed in Saleor (no token): run saleor_install")
    return SaleorClient(installation.api_url, installation.token)


def listing_sync_request(*, listing_id: int) -> None:
    """Mark the listing as waiting and enqueue the push once the caller's transaction commits."""
    Listing.objects.filter(pk=listing_id).exclude(sync_status=Sync.DIVERGED).update(
        sync_status=Sync.PENDING, sync_requested_at=clock.now()
    )

    transaction.on_commit(lambda: sync_listing.delay(listing_id))


def editorjs(text: str) -> str:
    """Plain paragraphs (blank-line separated) as Saleor's EditorJS description JSON."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    blocks = [
        {"id": f"p{i}", "type": "paragraph", "data": {"text": html.escape(p).replace("\n", "<br>")}}
        for i, p in enumerate(paragraphs)
    ]
    return json.dumps({"blocks": blocks, "version": "2.24.3"}, ensure_ascii=False)


def editorjs_text(description: Any) -> str:
    """The plain text of an EditorJS description (as a string or parsed), for comparisons."""
    if not description:
        return ""
    document = json.loads(description) if isinstance(description, str) else description
    texts = [html.unescape(str((b.get("data") or {}).get("text", ""))) for b in document.get("blocks", [])]
    return "\n\n".join(t.replace("<br>", "\n").strip() for t in texts if t.strip())


def price_decimal(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


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


def _ensure_category(client: SaleorClient, slug: str) -> str:
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


def _ensure_product_type(client: SaleorClient, slug: str) -> dict[str, Any]:
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


def _find_attributes(client: SaleorClient, slugs: list[str]) -> dict[str, dict[str, Any]]:
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


def _ensure_attribute(
    client: SaleorClient, attribute: taxonomy.Attribute, node: dict[str, Any] | None
) -> str:
    """The attribute's id: created with its values if missing, values the taxonomy gained added, named."""
    if node is None:
        try:
            node = client.mutate(
                "CatalogAttributeCreate", {"input": _attribute_create_input(attribute)}, "attributeCreate"
            )["attribute"]
        except SaleorMutationError:
            node = _find_attributes(client, [attribute.slug]).get(attribute.slug)
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


def _ensure_attributes(client: SaleorClient, product_type: dict[str, Any], slug: str) -> dict[str, str]:
    """{attribute slug: id} of the product type's attributes, each existing and assigned to the type."""
    wanted = taxonomy.attributes_of(slug)
    if not wanted:
        return {}
    found = _find_attributes(client, [a.slug for a in wanted])
    ids = {a.slug: _ensure_attribute(client, a, found.get(a.slug)) for a in wanted}
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


def _find_product(client: SaleorClient, listing: Listing) -> str | None:
    data = client.execute(
        "CatalogProductFind", {"externalReference": listing.external_reference, "slug": listing.slug}
    )
    found = data.get("byReference") or data.get("bySlug")
    return found["id"] if found else None


def _product_input(
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
    category_id = _ensure_category(client, content["category"])
    # Updates need the type too: its attributes must exist and be assigned before values are set.
    product_type = _ensure_product_type(client, content["product_type"])
    attribute_ids = _ensure_attributes(client, product_type, content["product_type"])
    product_input = _product_input(listing, content, category_id, attribute_ids)
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


def _translate(client: SaleorClient, product_id: str, content: dict[str, Any]) -> None:
    if not (content["name_en"] or content["description_en"]):
        return
    client.mutate(
        "CatalogProductTranslate",
        {
            "id": product_id,
            "input": {
                "name": content["name_en"] or content["name_zh"],
                "description": editorjs(content["description_en"]),
            },
        },
        "productTranslate",
    )


def _bulk_check(name: str, payload: dict[str, Any]) -> None:
    errors = [e for r in payload.get("results") or [] for e in r.get("errors") or []]
    if errors:
        raise SaleorMutationError(
            name, [UserError(e.get("field"), e.get("code"), e.get("message") or "") for e in errors]
        )


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
        weight = {"value": v["weight_g"], "unit": "G"} if v["weight_g"] else None
        price = price_decimal(v["price_fen"])
        quantity = stock.get(sku, 0)
        if sku not in existing:
            creates.append(
                {
                    "sku": sku,
                    "name": v["name_zh"] or sku,
                    "attributes": [],
                    "trackInventory": True,
                    "weight": weight,
                    "externalReference": f"{listing.external_reference}-{sku}",
                    "channelListings": [{"channelId": channel_id, "price": price}],
                    "stocks": [{"warehouse": warehouse_id, "quantity": quantity}],
                }
            )
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


def _sync_media(
    client: SaleorClient, listing: Listing, product_id: str, content: dict[str, Any], state: dict[str, Any]
) -> dict[str, str]:
    existing = {m["assetUid"]: m["id"] for m in state["media"] if m.get("assetUid")}
    wanted = [i["asset"] for i in content["images"]]
    alts = {i["asset"]: i["alt"] for i in content["images"]}
    assets = {str(a.uid): a for a in ImageAsset.objects.filter(uid__in=wanted)}
    ids = {}
    for uid in wanted:
        if uid in existing:
            ids[uid] = existing[uid]
            continue
        asset = assets.get(uid)
        if asset is None or asset.status != ImageAsset.Status.READY:
            raise SyncNotPossible(f"image {uid} is not processed yet")
        filename, data = _derivative_bytes(asset)
        media_id = client.upload(
            "CatalogMediaCreate",
            {"product": product_id, "alt": alts[uid] or content["name_zh"]},
            {"image": (filename, data, "image/webp")},
            field="productMediaCreate",
        )["media"]["id"]
        client.mutate(
            "PrivateMetadataUpdate",
            {"id": media_id, "input": [{"key": ASSET_KEY, "value": uid}]},
            "updatePrivateMetadata",
        )
        ids[uid] = media_id
    for uid, media_id in existing.items():
        if uid not in wanted:  # only media this service uploaded; others are the Dashboard's business
            client.mutate("CatalogMediaDelete", {"id": media_id}, "productMediaDelete")
    Listing.objects.filter(pk=listing.pk).update(saleor_media_ids=ids)
    return ids


def _sync_channel(client: SaleorClient, listing: Listing, product_id: str, channel_id: str) -> None:
    visible = listing.on_sale and listing.state != Listing.State.ARCHIVED
    client.mutate(
        "CatalogProductChannel",
        {
            "id": product_id,
            "input": {
                "updateChannels": [
                    {
                        "channelId": channel_id,
                        "isPublished": visible,
                        "visibleInListings": visible,
                        "isAvailableForPurchase": visible,
                    }
                ]
            },
        },
        "productChannelListingUpdate",
    )


def _product_state(client: SaleorClient, product_id: str) -> dict[str, Any]:
    product = client.execute("CatalogProductState", {"id": product_id}).get("product")
    if product is None:
        raise SyncNotPossible(f"product {product_id} vanished from Saleor during the push")
    return product


def listing_push(*, listing: Listing, client: SaleorClient) -> None:
    """The calls of one push (no bookkeeping): product, translation, variants, media, channel."""
    content = listing.live_revision.content
    unit = listing.unit
    if not unit.saleor_warehouse_id:
        raise SyncNotPossible(
            f"unit {unit.pk} has no Saleor warehouse yet (provisioning: {unit.provisioning})"
        )
    channel = client.execute("CatalogChannel", {"slug": settings.SALEOR_CHANNEL_SLUG}).get("channel")
    if channel is None:
        raise SyncNotPossible(f"Saleor has no channel {settings.SALEOR_CHANNEL_SLUG!r} (SALEOR_CHANNEL_SLUG)")
    currencies = {v["currency"] for v in content["variants"]}
    if currencies != {channel["currencyCode"]}:
        raise SyncNotPossible(
            f"channel {channel['slug']} sells in {channel['currencyCode']}, "
            f"the listing in {', '.join(sorted(currencies))}"
        )
    product_id = _ensure_product(client, listing, content)
    _translate(client, product_id, content)
    # Saleor prices a variant in a channel only once its product is listed there (published or not).
    _sync_channel(client, listing, product_id, channel["id"])
    state = _product_state(client, product_id)
    _sync_variants(client, listing, product_id, content, state, channel["id"], unit.saleor_warehouse_id)
    _sync_media(client, listing, product_id, content, state)


# Namespace of the advisory locks that keep two pushes of one listing from interleaving.
_LOCK_NAMESPACE = 4_704_001


class SyncBusy(SaleorError):
    """Another worker is pushing this listing right now; try again shortly."""


def _try_lock(listing_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, listing_id])
        return bool(cursor.fetchone()[0])


def _unlock(listing_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, listing_id])


def listing_sync(*, listing_id: int, client: SaleorClient | None = None) -> str:
    """Push the listing's approved revision and its stock; record the outcome on the listing.

    One push per listing at a time (advisory lock); a push asked for meanwhile runs after it.
    """
    if not _try_lock(listing_id):
        raise SyncBusy(f"listing {listing_id} is being pushed by another worker")
    try:
        return _listing_sync_locked(listing_id, client)
    finally:
        _unlock(listing_id)


def _listing_sync_locked(listing_id: int, client: SaleorClient | None) -> str:
    with transaction.atomic():
        listing = (
            Listing.objects.select_for_update(of=("self",))
            .select_related("unit", "live_revision")
            .get(pk=listing_id)
        )
        if listing.sync_status == Sync.DIVERGED:
            return Sync.DIVERGED
        if listing.live_revision is None:
            return Sync.IDLE
        listing.sync_status = Sync.SYNCING
        listing.sync_attempts = F("sync_attempts") + 1
        listing.sync_attempted_at = clock.now()
        listing.save(update_fields=["sync_status", "sync_attempts", "sync_attempted_at"])
    listing.refresh_from_db()
    try:
        client = client or _client()
        listing_push(listing=listing, client=client)
        product_id = Listing.objects.values_list("saleor_product_id", flat=True).get(pk=listing.pk)
        state = _product_state(client, product_id)
        updated_at = parse_datetime(state["updatedAt"])
        variants_updated_at = max((v["updatedAt"] for v in state["variants"]), default="")
    except SaleorError as exc:
        logger.warning("sync of listing %s failed: %s", listing_id, exc)
        Listing.objects.filter(pk=listing_id, sync_status=Sync.SYNCING).update(
            sync_status=Sync.FAILED, sync_error=str(exc)[:2000]
        )
        raise
    # The baseline webhooks are compared with is what this push wrote, whatever was asked meanwhile;
    # a push asked for during this one left the status pending and runs next.
    Listing.objects.filter(pk=listing_id).exclude(sync_status=Sync.DIVERGED).update(
        synced_revision=listing.live_revision,
        synced_at=clock.now(),
        synced_fingerprint={
            **fingerprint(listing, listing.live_revision.content),
            "variants_updated_at": variants_updated_at,
        },
        saleor_updated_at=updated_at,
    )
    Listing.objects.filter(pk=listing_id, sync_status=Sync.SYNCING).update(
        sync_status=Sync.DONE, sync_error="", sync_attempts=0
    )
    return Sync.DONE


def listings_due_for_sync(*, limit: int = 50) -> list[int]:
    """Beat job: pushes whose enqueue was lost, failed ones past their backoff, and abandoned ones."""
    now = clock.now()
    lost = Q(sync_status=Sync.PENDING, sync_requested_at__lt=now - timedelta(minutes=2)) & (
        Q(sync_attempted_at__isnull=True) | Q(sync_attempted_at__lt=F("sync_requested_at"))
    )
    abandoned = Q(sync_status=Sync.SYNCING, sync_attempted_at__lt=now - timedelta(minutes=15))
    due = Q()
    for attempts in range(1, 12):  # 2, 4, 8 ... minutes, capped at an hour
        wait = timedelta(minutes=min(2**attempts, 60))
        due |= Q(sync_status=Sync.FAILED, sync_attempts=attempts, sync_attempted_at__lt=now - wait)
    due |= Q(sync_status=Sync.FAILED, sync_attempts__gte=12, sync_attempted_at__lt=now - timedelta(hours=1))
    return list(
        Listing.objects.filter(lost | abandoned | due)
        .exclude(live_revision=None)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
