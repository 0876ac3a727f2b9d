"""Catalog data from Saleor, cached in Redis until a product webhook says it changed.

Listings (home, unit shops, categories, search, sitemap) depend on many products: their keys carry a
generation number that any product change bumps. A product page depends on one product: its key is
deleted when that product changes (by slug, and by the slug last cached for its id, for renames).

An attribute's or value's change (a rename, a translation) reaches no product event but may be on any
product page: it bumps the product epoch, which every product page key carries.

Each process also keeps what it read from Redis (and rendered product grids) in memory, tagged with
the generation: a warm page costs one small Redis read (the generation), not a large unpickle.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

GENERATION = "sf:generation"
EPOCH = "sf:product-epoch"  # absent: 0
LOCAL_ENTRIES = 512
_local: OrderedDict[str, tuple[int, Any]] = OrderedDict()  # key -> (generation, value)


def _generation() -> int:
    value = cache.get(GENERATION)
    if value is None:
        cache.add(GENERATION, 1, timeout=None)
        value = cache.get(GENERATION) or 1
    return int(value)


def _listing_key(name: str, variables: dict[str, Any], generation: int) -> str:
    digest = hashlib.sha256(json.dumps(variables, sort_keys=True).encode()).hexdigest()[:24]
    return f"sf:list:{generation}:{name}:{digest}"


def listing_key(name: str, variables: dict[str, Any]) -> str:
    return _listing_key(name, variables, _generation())


def _local_get(key: str, generation: int) -> Any:
    entry = _local.get(cache.make_key(key))
    return entry[1] if entry and entry[0] == generation else None


def _local_put(key: str, generation: int, value: Any) -> None:
    _local[cache.make_key(key)] = (generation, value)
    while len(_local) > LOCAL_ENTRIES:
        _local.popitem(last=False)


def _product_key(slug: str, epoch: int) -> str:
    return f"sf:product:{epoch}:{hashlib.sha256(slug.encode()).hexdigest()[:32]}"


def product_key(slug: str) -> str:
    """The product page's key in the current epoch."""
    return _product_key(slug, int(cache.get(EPOCH) or 0))


def _slug_of_id_key(product_id: str) -> str:
    return f"sf:product-slug:{product_id}"


def listing_cached(name: str, variables: dict[str, Any], fill: Callable[[], dict]) -> dict:
    """A listing's data from memory, Redis, or fill() (Saleor); `_cache_key` names this version."""
    generation = _generation()
    key = _listing_key(name, variables, generation)
    value = _local_get(key, generation)
    if value is None:
        value = cache.get(key)
        if value is None:
            value = {**fill(), "_cache_key": key}
            cache.set(key, value, timeout=settings.STOREFRONT_CACHE_SECONDS)
        _local_put(key, generation, value)
    return value


def product_cached(slug: str, fill: Callable[[], dict | None]) -> dict | None:
    """A product's data from memory, Redis, or fill() (None: no such product, not kept)."""
    # One round trip for both counters: a warm page still costs one small Redis read.
    counters = cache.get_many([GENERATION, EPOCH])
    generation = int(counters[GENERATION]) if GENERATION in counters else _generation()
    key = _product_key(slug, int(counters.get(EPOCH) or 0))
    value = _local_get(key, generation)
    if value is None:
        value = cache.get(key)
        if value is None:
            value = fill()
            if value is None:
                return None
            cache.set_many(
                {key: value, _slug_of_id_key(value["id"]): slug}, timeout=settings.STOREFRONT_CACHE_SECONDS
            )
        _local_put(key, generation, value)
    return value


def fragment(data: dict, variant: str, render: Callable[[], str]) -> str:
    """HTML rendered from a cached listing, kept in this process until the listing changes."""
    key = f"{data['_cache_key']}:{variant}"
    generation = int(key.split(":")[2])
    html = _local_get(key, generation)
    if html is None:
        html = render()
        _local_put(key, generation, html)
    return html


def catalog_invalidate(*, product_id: str | None, slug: str | None) -> None:
    """Forget what a change to this product may have made stale: its page and every listing.

    The generation bump also retires every process's in-memory copies (they are checked against it).
    """
    keys = [product_key(slug)] if slug else []
    if product_id:
        previous = cache.get(_slug_of_id_key(product_id))
        if previous:
            keys.append(product_key(previous))
        keys.append(_slug_of_id_key(product_id))
    if keys:
        cache.delete_many(keys)
    _bump(GENERATION)


def catalog_invalidate_all() -> None:
    """Forget every product page and listing (an attribute or its translation changed)."""
    _bump(EPOCH)
    _bump(GENERATION)


def _bump(counter: str) -> None:
    try:
        cache.incr(counter)
    except ValueError:  # never set (or evicted): a fresh generation also misses every old key
        cache.set(counter, _generation() + 1 if counter == GENERATION else 1, timeout=None)
