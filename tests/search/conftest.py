"""Search fixtures: a cache namespace of each test's own (versions, browse answers, process caches)."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings, monkeypatch):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"wc-test-{uuid.uuid4().hex[:12]}"}
    }
    from search import selectors

    selectors._versions.clear()
    selectors._synonyms.clear()
    selectors._vocabulary.clear()
    monkeypatch.setattr(selectors, "VERSION_CHECK_SECONDS", 0)  # other processes' changes seen at once
