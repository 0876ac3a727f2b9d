"""The library in Debian's chromium: the index with its facets and search, an object page with its picture
and the products made from it, in Chinese and English. Screenshots: tests/artifacts/resources/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services as catalog_services
from resources import services
from tests.catalog import image_factories as make
from tests.catalog.factories import active_unit
from tests.resources.helpers import four_spirits_mirror, library_object
from tests.search.helpers import on_sale
from unit_onboarding.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "resources"  # gitignored


def picture(unit, width: int, height: int):
    data = make.encoded(make.quadrants(width, height), "JPEG", quality=80)
    upload = SimpleUploadedFile("object.jpg", data, content_type="image/jpeg")
    asset = catalog_services.image_asset_create(owner_key=f"unit:{unit.pk}", upload=upload)
    catalog_services.image_asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    return asset


@pytest.fixture
def library():
    museum, books = active_unit("三峡博物馆"), active_unit("重庆图书馆")
    Unit.objects.filter(pk=museum.pk).update(unit_type="museum", legal_name_en="Three Gorges Museum")
    Unit.objects.filter(pk=books.pk).update(unit_type="library", legal_name_en="Chongqing Library")
    mirror = four_spirits_mirror(
        museum,
        story_zh="镜背铸青龙、白虎、朱雀、玄武四神，环以铭文。1950 年代出土于重庆。",
        story_en="The back shows the four spirits (dragon, tiger, bird, turtle) within an inscription.",
    )
    services.object_image_set(obj=mirror, asset=picture(museum, 2400, 1800))
    bowl = library_object(
        museum, "M-003", title_zh="青花缠枝莲纹碗", era="明代", category="ceramics", licensable=True
    )
    services.object_image_set(obj=bowl, asset=picture(museum, 1200, 1200))
    library_object(books, "B-001", title_zh="重庆府舆图", era="清代", category="books")
    library_object(museum, "M-009", title_zh="未公开的玉璧", publish=False)
    on_sale(
        museum,
        name_zh="四神铜镜书签",
        name_en="Four Spirits bookmark",
        collection_object=mirror,
        relation="reproduction",
    )
    return mirror


def test_a_visitor_browses_the_library_filters_and_opens_an_object(live_server, library, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_context(
        java_script_enabled=False, locale="zh-CN", viewport={"width": 1200, "height": 900}
    ).new_page()

    page.goto(live_server.url + "/library/")
    assert page.locator("h1").inner_text() == "公开文化资源库"
    assert page.locator("p.count").inner_text() == "共 3 件藏品"
    assert "未公开的玉璧" not in page.content()
    # The pictures are the public web-size derivatives and they load.
    loaded = page.eval_on_selector_all(".library-cards img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(loaded) == 2 and all(w > 0 for w in loaded)
    page.screenshot(path=str(SHOTS / "library-01-index.png"), full_page=True)

    page.click("section[data-facet=unit] >> text=三峡博物馆")
    assert page.locator("p.count").inner_text() == "共 2 件藏品"
    page.fill("#library-q", "白虎")
    page.press("#library-q", "Enter")
    assert page.locator(".card .name").all_inner_texts() == ["四神纹铜镜"]

    page.click(".card a")
    # A click returns once the next page has begun to load; its picture is read after the page's load event.
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "四神纹铜镜"
    assert page.locator(".rights").inner_text() == "权利状态: 公有领域"
    assert page.eval_on_selector(".gallery img", "i => i.naturalWidth") > 0
    assert page.locator(".about .card .name").all_inner_texts() == ["四神铜镜书签"]
    page.screenshot(path=str(SHOTS / "library-02-object.png"), full_page=True)

    page.click("text=English")
    assert page.locator("h1").inner_text() == "Bronze mirror with four spirits"
    assert "Public domain" in page.locator(".rights").inner_text()
    page.screenshot(path=str(SHOTS / "library-03-object-en.png"), full_page=True)
