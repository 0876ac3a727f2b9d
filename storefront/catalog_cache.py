"""Catalog data from Saleor, cached in Redis until a product webhook says it changed.

Listings (home, unit shops, categories, search, sitemap) depend on many products: their keys carry a
generation number that any product change bumps. A product page depends on one product: its key is
deleted when that product changes (by slug, and by the slug last cached for its id, for renames).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

GENERATION = "sf:generation"


def _generation() -> int:
    value = cache.get(GENERATION)
    if value is None:
        cache.add(GENERATION, 1, timeout=None)
        value = cache.get(GENERATION) or 1
    return int(value)


def listing_key(name: str, variables: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(variables, sort_keys=True).encode()).hexdigest()[:24]
    return f"sf:list:{_generation()}:{name}:{digest}"


def product_key(slug: str) -> str:
    return f"sf:product:{hashlib.sha256(slug.encode()).hexdigest()[:32]}"


def _slug_of_id_key(product_id: str) -> str:
    return f"sf:product-slug:{product_id}"


def cached(key: str, fill: Callable[[], Any]) -> Any:
    """The cached value, or fill() stored for STOREFRONT_CACHE_SECONDS (None results are not kept)."""
    value = cache.get(key)
    if value is None:
        value = fill()
        if value is not None:
            cache.set(key, value, timeout=settings.STOREFRONT_CACHE_SECONDS)
    return value


def product_cached(slug: str, fill: Callable[[], dict | None]) -> dict | None:
    key = product_key(slug)
    value = cache.get(key)
    if value is None:
        value = fill()
        if value is not None:
            cache.set_many(
                {key: value, _slug_of_id_key(value["id"]): slug}, timeout=settings.STOREFRONT_CACHE_SECONDS
            )
    return value


def catalog_invalidate(*, product_id: str | None, slug: str | None) -> None:
    """Forget what a change to this product may have made stale: its page and every listing."""
    keys = [product_key(slug)] if slug else []
    if product_id:
        previous = cache.get(_slug_of_id_key(product_id))
        if previous:
            keys.append(product_key(previous))
        keys.append(_slug_of_id_key(product_id))
    if keys:
        cache.delete_many(keys)
    try:
        cache.incr(GENERATION)
    except ValueError:  # never set (or evicted): a fresh generation also misses every old key
        cache.set(GENERATION, _generation() + 1, timeout=None)
