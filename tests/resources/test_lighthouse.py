"""Lighthouse (mobile preset) on the public library: its index, an object's page and the design calls score at
least 95 for accessibility, best practices and SEO. Skipped without LIGHTHOUSE_BIN (tests/lighthouse.py);
reports are kept in tests/artifacts/resources/lighthouse-*.json."""

from __future__ import annotations

import pytest

from tests.lighthouse import below, needed

from .test_browser import SHOTS, library  # noqa: F401 (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("connections_closed"),
    needed,
]
CATEGORIES = ("accessibility", "best-practices", "seo")


def test_the_librarys_public_pages_score_at_least_95(live_server, library):  # noqa: F811
    pages = {
        "library": "/library/",
        "object": f"/library/objects/{library.pk}/",
        "calls": "/library/calls/",
        "library-en": "/en/library/",
    }
    low = {}
    for name, path in pages.items():
        low |= below(live_server.url, path, name=name, categories=CATEGORIES, shots=SHOTS)
    assert not low, low
