"""The public campaign page in chromium, zh-Hans on a phone and English on a desktop, and the unit's
campaign page (shots in tests/artifacts/campaigns)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.auth import browser_log_in
from tests.campaigns.conftest import NOW
from tests.campaigns.test_money import backing
from tests.office.test_browser import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "campaigns"  # gitignored


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=True)  # ticking: the browser's session runs


@pytest.mark.parametrize(("prefix", "locale", "width"), [("", "zh-CN", 375), ("/en", "en-US", 1280)])
def test_the_campaign_page_shows_progress_and_tiers(
    browser,
    live_server,
    live,
    deliver,
    prefix,
    locale,
    width,
):
    deliver("order_fully_paid", backing(live, "order-b1", quantity=2).payload())
    tier = live.tiers.get()
    live.listing.saleor_variant_ids = {tier.sku: "UHJvZHVjdFZhcmlhbnQ6Mzg2"}  # as the catalog sync records it
    live.listing.save(update_fields=["saleor_variant_ids"])
    page = browser.new_context(locale=locale, viewport={"width": width, "height": 900}).new_page()

    page.goto(f"{live_server.url}{prefix}/campaigns/{live.uid}/")

    assert page.locator("#raised-bar").get_attribute("value") == "90"
    assert page.locator("#raised").inner_text().endswith("¥271.36")  # English: CN¥
    days = page.locator("#days-left").inner_text()
    assert days == ("剩余 10 天" if not prefix else "10 days left")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"campaign{prefix.replace('/', '-')}-{width}.png"), full_page=True)
    wide = page.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > innerWidth)"
        ".map(e => e.tagName + '.' + e.className)"
    )
    assert wide == []  # nothing of the campaign wider than the screen (the shop's header is its own)
    assert page.locator("form.tier button").count() == 1  # the tier can be backed


def test_the_unit_sees_its_campaign_with_backers(browser, live_server, live, deliver):
    deliver("order_fully_paid", backing(live, "order-b2").payload())
    operator = live.created_by
    operator.set_password(PASSWORD)
    operator.save()
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    browser_log_in(page, live_server.url, operator.email, PASSWORD)
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/campaigns/c/{live.uid}/")

    text = page.locator("main").inner_text()
    assert "众筹中" in text and "1 位支持者" in text and "¥135.68" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "unit-campaign-1280.png"), full_page=True)
