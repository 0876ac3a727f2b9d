"""Files go to a per-test directory; Saleor is the in-memory double at the HTTP edge."""

from __future__ import annotations

import pytest
import respx

from .fake_saleor import API_URL, FakeSaleor
from .test_browser import browser  # noqa: F401 - Debian's chromium, for every browser test here


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents"), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return tmp_path


@pytest.fixture
def saleor():
    fake = FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API_URL).mock(side_effect=fake.handle)
        yield fake
