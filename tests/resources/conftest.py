"""Library fixtures: a cache namespace of each test's own, storages in a temporary directory, zh-Hans."""

from __future__ import annotations

import uuid

import pytest
from django.utils import translation

from tests.storages import temporary_storages


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"wc-test-{uuid.uuid4().hex[:12]}"}
    }


@pytest.fixture(autouse=True)
def _storages(settings, tmp_path):
    temporary_storages(settings, tmp_path)


@pytest.fixture(autouse=True)
def _default_language():
    translation.activate("zh-hans")
    yield
    translation.deactivate()
