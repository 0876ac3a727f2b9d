"""Catalog test data: active provisioned units, curators, ready images, listings with variants."""

from __future__ import annotations

import base64
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import listings, services
from catalog.models import ImageAsset, Listing
from tests.catalog import image_factories as make
from tests.unit_onboarding.factories import OperatingEntityFactory, group_member, operator_of
from unit_onboarding.models import Unit

CURATORS = "Platform curators"
WAREHOUSE_ID = "V2FyZWhvdXNlOmE="


def active_unit(name: str = "", warehouse_id: str | None = None) -> Unit:
    """An approved, provisioned unit; each gets its own warehouse id (a warehouse belongs to one unit)."""
    if warehouse_id is None:
        warehouse_id = base64.b64encode(f"Warehouse:{uuid.uuid4()}".encode()).decode()
    unit = OperatingEntityFactory(
        unit__status=Unit.Status.ACTIVE,
        unit__display_name=name,
        unit__saleor_warehouse_id=warehouse_id,
        unit__provisioning=Unit.Provisioning.DONE,
    ).unit
    return unit


def curator():
    """A member of the curators' group."""
    return group_member(CURATORS, "catalog", "review_listing")


def ready_asset(unit: Unit, seed: int = 0) -> ImageAsset:
    """A processed image (pipeline run in-line, as the Celery task would)."""
    data = make.encoded(make.quadrants(640 + seed, 480), "JPEG", quality=80)
    upload = SimpleUploadedFile(f"photo{seed}.jpg", data, content_type="image/jpeg")
    asset = services.image_asset_create(owner_key=f"unit:{unit.pk}", upload=upload)
    services.image_asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    return asset


def variant(sku: str, price_fen: int = 12800, stock: int = 10, **extra) -> dict:
    return {
        "sku": sku,
        "name_zh": f"款式{sku}",
        "name_en": f"Style {sku}",
        "price_fen": price_fen,
        "stock": stock,
        "weight_g": 250,
        **extra,
    }


def listing_data(**extra) -> dict:
    return {
        "name_zh": "青铜镜书签",
        "name_en": "Bronze mirror bookmark",
        "description_zh": "以馆藏汉代铜镜为原型。\n\n黄铜蚀刻。",
        "description_en": "After a Han dynasty bronze mirror in the collection.",
        "category": "wenchuang-stationery",
        "product_type": "wenchuang-goods",
        "seo_title": "青铜镜书签",
        "seo_description": "汉代铜镜文创书签",
        "attributes": {"wenchuang-material": "bronze", "wenchuang-era": "qin-han"},
        **extra,
    }


def make_listing(unit: Unit, operator=None, *, skus=None, images: int = 0, **extra) -> Listing:
    operator = operator or operator_of(unit)
    tag = uuid.uuid4().hex[:6].upper()
    skus = skus or (f"{tag}-1", f"{tag}-2")
    listing = listings.listing_create(
        unit=unit, data=listing_data(**extra), variants=[variant(s) for s in skus], actor=operator
    )
    for i in range(images):
        listings.listing_image_add(listing=listing, asset=ready_asset(unit, seed=i), actor=operator)
    return listing
