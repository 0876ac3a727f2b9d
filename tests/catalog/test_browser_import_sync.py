"""A trusted unit's operator imports products put on sale at once, in chromium: once the import is over its
page follows their bulk push to Saleor with the shared progress bar, and ends on how it went (shots in
tests/artifacts/catalog)."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import listings, provenance
from catalog.models import Listing, ListingImport
from tests.auth import browser_log_in
from tests.catalog.factories import active_unit
from tests.unit_onboarding.factories import operator_of

from .test_listing_import_job import WITH_MATERIAL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "catalog"  # gitignored
PASSWORD = "import-the-collection-2026"


def test_the_import_page_follows_the_push_to_saleor(browser, live_server, tmp_path):
    unit = active_unit("三峡博物馆")
    provenance.collection_object_save(unit=unit, data={"title_zh": "铜镜", "accession_number": "SX-1"})
    listings.unit_review_exempt_set(unit=unit, exempt=True)  # approved at once, so put on sale at once
    operator = operator_of(unit)
    operator.set_password(PASSWORD)
    operator.save()
    csv_file = tmp_path / "products.csv"
    csv_file.write_text(WITH_MATERIAL, encoding="utf-8")
    SHOTS.mkdir(parents=True, exist_ok=True)

    page = browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 900}).new_page()
    importing = f"/catalog/units/{unit.uid}/listings/import/"
    browser_log_in(page, live_server.url, operator.email, PASSWORD, importing)
    page.wait_for_url("**/listings/import/")
    page.set_input_files("input[type=file]", str(csv_file))
    page.check("input[name=submit]")
    page.check("input[name=on_sale]")
    page.check("input[name=commit]")
    page.click("main form[enctype] button")
    page.wait_for_url("**/listings/import/*/")

    # the import ran (eagerly, at commit); no Saleor answers here, so the pushes wait
    job = ListingImport.objects.get()
    assert job.state == "done" and len(job.listing_ids) == 2
    page.wait_for_selector("#sync-progress")
    assert "已发送 0 / 2 件商品到商城" in page.locator("#sync-progress").inner_text()
    page.screenshot(path=str(SHOTS / "import-sync-waiting.png"), full_page=False)

    # the bulk push goes through: the page's script sees it and reloads on the outcome
    Listing.objects.filter(pk__in=job.listing_ids).update(sync_status=Listing.Sync.DONE)
    page.wait_for_selector("#sync-result", timeout=30_000)
    assert "2 件商品中已有 2 件在商城上架" in page.locator("#sync-result").inner_text()
    page.screenshot(path=str(SHOTS / "import-sync-done.png"), full_page=False)
