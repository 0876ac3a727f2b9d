"""Files go to a per-test directory; Saleor is the in-memory double at the HTTP edge."""

from __future__ import annotations

import pytest
import respx

from tests.storages import temporary_storages

from .fake_saleor import API_URL, FakeSaleor
from .test_browser import browser  # noqa: F401 - Debian's chromium, for every browser test here


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    return temporary_storages(settings, tmp_path)


@pytest.fixture
def saleor():
    fake = FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API_URL).mock(side_effect=fake.handle)
        yield fake
