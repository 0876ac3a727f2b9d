"""Reads of the catalog."""

from __future__ import annotations

from django.core.files.storage import storages

from catalog.models import ImageAsset


def image_asset_derivative_url(*, asset: ImageAsset, size: int) -> str | None:
    """Public URL of the derivative made for `size` (px, longest side), or None while not ready."""
    if asset.status != ImageAsset.Status.READY:
        return None
    for entry in asset.derivatives:
        if entry["size"] == size:
            return storages["default"].url(entry["name"])
    return None
