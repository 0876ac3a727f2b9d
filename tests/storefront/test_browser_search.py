"""Search in Debian's chromium: the form and facets without JavaScript, suggestions with it, in Chinese and
English. Products just approved (not in Saleor yet), so their cards come from the index and no Saleor is
asked. Screenshots go to tests/artifacts/storefront/search-*.png (gitignored)."""

from __future__ import annotations

import re

import pytest

from tests.search.helpers import active_unit, mirror_coasters, on_sale
from tests.storefront.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    museum, library = active_unit("三峡博物馆"), active_unit("重庆图书馆")
    on_sale(museum, name_zh="四神铜镜书签", name_en="Four Spirits mirror bookmark", price_fen=3800)
    mirror_coasters(museum)
    on_sale(library, name_zh="书签金属套装", name_en="Metal bookmark set", price_fen=5800)


def test_a_buyer_searches_by_pinyin_filters_by_material_and_reads_english(live_server, catalogue, browser):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()

    page.goto(live_server.url + "/search/")  # the home page would ask Saleor, absent here
    page.fill("#q", "tongjing")
    page.press("#q", "Enter")
    page.wait_for_load_state("load")  # the click or Enter returns as the next page starts loading
    assert sorted(page.locator(".card .name").all_inner_texts()) == ["四神铜镜书签", "铜镜纹杯垫"]
    page.screenshot(path=str(ARTIFACTS / "search-01-pinyin.png"), full_page=True)
    page.click("section[data-facet=material] >> text=木")
    page.wait_for_load_state("load")
    assert page.locator(".card .name").all_inner_texts() == ["铜镜纹杯垫"]
    assert page.locator("p.count").inner_text() == "1 件商品"

    page.goto(live_server.url + "/en/search/?q=bookmarks&sort=price_asc")
    assert page.locator(".card .name").all_inner_texts() == [
        "Four Spirits mirror bookmark",
        "Metal bookmark set",
    ]
    page.screenshot(path=str(ARTIFACTS / "search-02-english.png"), full_page=True)


def test_suggestions_appear_as_one_types_and_lead_to_results(live_server, catalogue, browser):
    context = browser.new_context(java_script_enabled=True, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/search/")

    page.click("#q")
    page.keyboard.type("tongj", delay=50)
    page.wait_for_selector("#q-suggestions li.term")
    page.screenshot(path=str(ARTIFACTS / "search-03-suggestions.png"))
    assert "铜镜" in page.locator("#q-suggestions").inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    assert len(page.locator(".card").all()) == 2
