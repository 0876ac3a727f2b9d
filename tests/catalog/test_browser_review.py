"""The curator's review of an edit in chromium, on a phone and a desktop: what changed is listed and marked,
and the page fits the screen (shots in tests/artifacts/catalog)."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import listings
from tests.auth import browser_log_in, browser_second_factor
from tests.catalog.factories import active_unit, curator, make_listing, variant
from tests.unit_onboarding.factories import UserFactory
from unit_onboarding.models import UnitMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "catalog"  # gitignored
PASSWORD = "Bronze-Mirror-1987"


@pytest.mark.parametrize("width", [375, 1280])
def test_the_curator_sees_what_an_edit_changes(browser, live_server, width):
    unit = active_unit("重庆中国三峡博物馆")
    operator = UserFactory()
    UnitMembership.objects.create(user=operator, unit=unit, role=UnitMembership.Role.OPERATOR)
    listing = make_listing(unit, operator, skus=("SX-1", "SX-2"), name_zh="三峡纹样丝巾")
    listings.listing_submit(listing=listing, actor=operator)
    listings.listing_review(listing=listing, approve=True, reviewer=curator())
    listing.refresh_from_db()
    listings.listing_update(
        listing=listing,
        data={"name_zh": "三峡纹样丝巾·新版"},
        variants=[variant("SX-1", price_fen=15800), variant("SX-2")],
        actor=operator,
    )
    reviewer = curator()
    reviewer.set_password(PASSWORD)
    reviewer.save()
    page = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}).new_page()

    browser_log_in(page, live_server.url, reviewer.email, PASSWORD, f"/catalog/review/{listing.uid}/")
    browser_second_factor(page, reviewer)
    page.wait_for_url(f"**/catalog/review/{listing.uid}/")

    changes = page.locator(".changes").inner_text()
    assert "名称" in changes and "价格 ¥128.00 → ¥158.00" in changes
    marked = page.locator('.side-by-side section:nth-child(2) dt[data-section="name"]')
    assert marked.evaluate("e => getComputedStyle(e).borderLeftStyle") == "solid"  # marked on screen
    unmarked = page.locator('.side-by-side section:nth-child(2) dt[data-section="description"]')
    assert unmarked.evaluate("e => getComputedStyle(e).borderLeftStyle") == "none"
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no horizontal overflow
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"review-changes-{width}.png"), full_page=True)
