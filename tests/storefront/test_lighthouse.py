"""Lighthouse (mobile preset) on the shop's public pages, as a buyer's phone loads them: home, a unit's shop,
a product page and the English home score at least 95 for accessibility, best practices and SEO. The pages
are served from the recorded Saleor scenes; the recorded thumbnails point at a Saleor that is not there, so
Lighthouse is told not to fetch them. Skipped without LIGHTHOUSE_BIN (tests/lighthouse.py); reports are kept
in tests/artifacts/storefront/lighthouse-*.json."""

from __future__ import annotations

import pytest

from tests.lighthouse import below, needed
from tests.storefront.conftest import ARTIFACTS
from tests.storefront.recorded_shop import MUSEUM, recorded_shop, unit_id_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("connections_closed"),
    needed,
]
CATEGORIES = ("accessibility", "best-practices", "seo")
OFFLINE = ("--blocked-url-patterns=http://127.0.0.1:8000/*",)  # the recorded Saleor's media


def test_the_shops_public_pages_score_at_least_95(live_server, settings):
    pages = {
        "home": ("/", "StorefrontHome.home"),
        "unit": (f"/units/{unit_id_of(MUSEUM)}/", "StorefrontProducts.unit"),
        "product": (f"/products/{MUSEUM['slug']}/", "StorefrontProduct.museum"),
        "home-en": ("/en/", "StorefrontHome.home"),
    }
    low, base = {}, live_server.url
    with recorded_shop(settings) as shop:
        for name, (path, scene) in pages.items():
            shop.play(scene)
            low |= below(base, path, name=name, categories=CATEGORIES, shots=ARTIFACTS, extra=OFFLINE)
    assert not low, low
