"""The library's pages are read from Redis until something they show changes.

Every key carries a generation number; any change that a library page or a product page's "made from
this object" link may show (a publication, a collection object, a unit's name, a listing going on or off
sale or changing content) bumps it, at once and again when the transaction commits (so a reader that
filled the cache from the old rows in between is retired too). Pages whose image is still being
processed are not kept (the pipeline finishes without a save signal).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from catalog import index_hooks
from catalog.models import CollectionObject
from resources.models import PublishedObject
from unit_onboarding.models import Unit

GENERATION = "lib:generation"
_local: dict[str, tuple[int, Any]] = {}  # per process: key -> (generation, value)


def generation() -> int:
    value = cache.get(GENERATION)
    if value is None:
        cache.add(GENERATION, 1, timeout=None)
        value = cache.get(GENERATION) or 1
    return int(value)


def _bump() -> None:
    try:
        cache.incr(GENERATION)
    except ValueError:  # absent: the next reader starts a new generation
        cache.add(GENERATION, 1, timeout=None)


def invalidate() -> None:
    """Retire every cached library page and link, now and once the caller's transaction commits."""
    _bump()
    transaction.on_commit(_bump)


def cached(name: str, variables: dict[str, Any], fill: Callable[[], dict]) -> dict:
    """fill()'s dict from Redis or fill(); a dict with `keep: False` is served but not kept."""
    digest = hashlib.sha256(json.dumps(variables, sort_keys=True, default=str).encode()).hexdigest()[:24]
    key = f"lib:{generation()}:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = fill()
        if value.get("keep", True):
            cache.set(key, value, timeout=settings.STOREFRONT_CACHE_SECONDS)
    return value


def memo(name: str, fill: Callable[[], Any]) -> Any:
    """A value shared by all of a process's requests in this generation (one Redis read when warm)."""
    current = generation()
    entry = _local.get(cache.make_key(name))
    if entry and entry[0] == current:
        return entry[1]
    key = f"lib:{current}:{name}"
    value = cache.get(key)
    if value is None:
        value = fill()
        cache.set(key, value, timeout=settings.STOREFRONT_CACHE_SECONDS)
    _local[cache.make_key(name)] = (current, value)
    return value


def listings_changed(*, listing_ids) -> None:
    """catalog.index_hooks: listings went on or off sale or changed their approved content."""
    invalidate()


def _changed(sender, **kwargs) -> None:
    invalidate()


def connect() -> None:
    hook = "resources.cache.listings_changed"
    if hook not in index_hooks.LISTING_INDEXERS:
        index_hooks.LISTING_INDEXERS.append(hook)
    for model in (PublishedObject, CollectionObject, Unit):
        post_save.connect(_changed, sender=model, dispatch_uid=f"library-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"library-{model.__name__}-delete")
