"""Library fixtures: a cache namespace of each test's own, storages in a temporary directory, zh-Hans."""

from __future__ import annotations

import uuid

import pytest
from django.utils import translation

from tests.catalog.factories import active_unit
from tests.resources.helpers import NOW
from tests.storages import temporary_storages
from tests.unit_onboarding.factories import operator_of


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


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a request left for after commit (its mail), as production does once it commits."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def clock_at(time_machine):
    """The business clock at NOW (12:00 in Beijing on 15 December 2026), still."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def museum():
    return active_unit("三峡博物馆")


@pytest.fixture
def people(museum):
    return {"operator": operator_of(museum), "finance": operator_of(museum, role="finance")}
