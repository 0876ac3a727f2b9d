"""Storefront fixtures: a fresh cache namespace per test (Redis is real, keys are not shared)."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"wc-test-{uuid.uuid4().hex[:12]}"}
    }
