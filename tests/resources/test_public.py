"""The public library: only published objects, facets that count, both languages, web-size images only,
bad input answered clearly, products made from an object, and cached pages that follow every change."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import listings
from catalog import services as services_catalog
from resources import services
from tests.catalog import image_factories as make
from tests.catalog.factories import active_unit
from tests.resources.helpers import four_spirits_mirror, library_object
from tests.search.helpers import on_sale
from tests.unit_onboarding.factories import operator_of
from unit_onboarding.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    """Two units (a museum and a library) with five published objects and one unpublished."""
    museum = active_unit("三峡博物馆")
    Unit.objects.filter(pk=museum.pk).update(unit_type="museum", legal_name_en="Three Gorges Museum")
    books = active_unit("重庆图书馆")
    Unit.objects.filter(pk=books.pk).update(unit_type="library")
    objects = {
        "mirror": four_spirits_mirror(
            museum, story_zh="镜背铸青龙白虎朱雀玄武。", story_en="The back shows the four spirits."
        ),
        "bells": library_object(museum, "M-002", title_zh="错金编钟", era="战国", licensable=True),
        "bowl": library_object(
            museum, "M-003", title_zh="青花缠枝莲纹碗", era="明代", category="ceramics", public_domain=True
        ),
        "map": library_object(books, "B-001", title_zh="重庆府舆图", era="清代", category="books"),
        "sutra": library_object(
            books, "B-002", title_zh="宋刻佛经残卷", era="宋代", category="books", licensable=True
        ),
        "secret": library_object(museum, "M-009", title_zh="未公开的玉璧", era="汉代", publish=False),
    }
    return museum, books, objects


def facet_counts(html: str, name: str) -> dict[str, int]:
    section = html.split(f'data-facet="{name}"', 1)[1].split("</section>", 1)[0]
    return {
        v: int(n)
        for v, n in re.findall(r'data-value="([^"]*)"><a [^>]*>[^<]*</a> <span class="count">(\d+)', section)
    }


def test_the_index_shows_published_objects_only_with_counted_facets(client, library):
    museum, books, _objects = library
    html = client.get("/library/").content.decode()

    assert "共 5 件藏品" in html
    assert "四神纹铜镜" in html and "宋刻佛经残卷" in html
    assert "未公开的玉璧" not in html
    assert facet_counts(html, "unit") == {str(museum.pk): 3, str(books.pk): 2}
    assert facet_counts(html, "unit_type") == {"museum": 3, "library": 2}
    assert facet_counts(html, "era") == {"汉代": 1, "战国": 1, "明代": 1, "清代": 1, "宋代": 1}
    assert facet_counts(html, "category") == {"bronze": 2, "ceramics": 1, "books": 2}
    assert facet_counts(html, "rights") == {"public_domain": 2, "licensable": 2, "not_licensable": 1}


def test_a_chosen_facet_filters_the_results_and_the_other_facets_count_within_it(client, library):
    museum, _books, _objects = library
    html = client.get("/library/", {"unit": museum.pk}).content.decode()

    assert "共 3 件藏品" in html and "重庆府舆图" not in html
    assert facet_counts(html, "rights") == {"public_domain": 2, "licensable": 1}
    assert facet_counts(html, "category") == {"bronze": 2, "ceramics": 1}
    # The chosen facet still offers its other values (counted under the other filters only).
    assert facet_counts(html, "unit")[str(museum.pk)] == 3 and len(facet_counts(html, "unit")) == 2

    html = client.get(
        "/library/", {"unit": museum.pk, "rights": "public_domain", "category": "ceramics"}
    ).content.decode()
    assert "共 1 件藏品" in html and "青花缠枝莲纹碗" in html and "四神纹铜镜" not in html


def test_search_finds_objects_by_name_and_by_story(client, library):
    by_name = client.get("/library/", {"q": "编钟"}).content.decode()
    assert "共 1 件藏品" in by_name and "错金编钟" in by_name

    by_story = client.get("/library/", {"q": "白虎"}).content.decode()
    assert "共 1 件藏品" in by_story and "四神纹铜镜" in by_story

    english = client.get("/en/library/", {"q": "four spirits"}).content.decode()
    assert "1 object" in english and "Bronze mirror with four spirits" in english

    none = client.get("/library/", {"q": "玉璧"}).content.decode()  # only the unpublished object has it
    assert "没有与“玉璧”匹配的公开藏品" in none


def test_the_object_page_shows_its_description_rights_and_products_made_from_it(client, library):
    museum, _books, objects = library
    mirror = objects["mirror"]
    made = on_sale(museum, name_zh="四神铜镜书签", collection_object=mirror, relation="reproduction")
    on_sale(
        museum, name_zh="未上架的镜子杯垫", collection_object=mirror, relation="adaptation", publish=False
    )
    on_sale(museum, name_zh="别的书签")  # not made from it

    html = client.get(f"/library/objects/{mirror.pk}/").content.decode()

    assert "<h1" in html and "四神纹铜镜" in html
    assert "汉代" in html and "青铜" in html and "直径 18.5 厘米" in html and "镜背铸青龙白虎朱雀玄武" in html
    assert "公有领域" in html and "三峡博物馆" in html and "青铜器" in html
    assert "四神铜镜书签" in html and f'href="/products/{made.slug}/"' in html
    assert "未上架的镜子杯垫" not in html and "别的书签" not in html
    assert 'lang="zh-Hans"' in html


def test_the_english_pages_read_in_english(client, library):
    _museum, _books, objects = library
    index = client.get("/en/library/").content.decode()
    assert 'lang="en"' in index and "Cultural-resource library" in index and "5 objects" in index
    assert (
        "Public domain" in index
        and "Three Gorges Museum" in index
        and "Bronze mirror with four spirits" in index
    )
    assert 'href="/en/library/objects/' in index

    page = client.get(f"/en/library/objects/{objects['mirror'].pk}/").content.decode()
    assert "Bronze mirror with four spirits" in page and "The back shows the four spirits." in page
    assert "Rights" in page and "Public domain" in page and "Bronzes" in page
    assert "No products made from this object are on sale yet." in page
    # The language switch leads to the Chinese page of the same object.
    assert f'href="/library/objects/{objects["mirror"].pk}/"' in page


def test_an_unpublished_object_is_not_found_and_taking_one_out_hides_it_at_once(client, library):
    museum, _books, objects = library
    assert client.get(f"/library/objects/{objects['secret'].pk}/").status_code == 404
    assert client.get(f"/en/library/objects/{objects['secret'].pk}/").status_code == 404
    assert client.get("/library/objects/999999/").status_code == 404
    assert client.get("/library/objects/" + "9" * 30 + "/").status_code == 404

    bells = objects["bells"]
    assert client.get(f"/library/objects/{bells.pk}/").status_code == 200  # now cached
    assert "错金编钟" in client.get("/library/").content.decode()
    services.publication_set(obj=bells, published=False, actor=operator_of(museum))

    assert client.get(f"/library/objects/{bells.pk}/").status_code == 404
    assert "错金编钟" not in client.get("/library/").content.decode()


def test_edits_to_the_object_show_on_the_cached_pages(client, library):
    _museum, _books, objects = library
    bowl = objects["bowl"]
    assert "明代" in client.get(f"/library/objects/{bowl.pk}/").content.decode()
    services.publication_save(obj=bowl, data={"era": "明宣德", "category": "ceramics"})
    html = client.get(f"/library/objects/{bowl.pk}/").content.decode()
    assert "明宣德" in html and "明代" not in html


def test_a_product_going_on_sale_shows_on_the_cached_object_page(client, library):
    _museum, _books, objects = library
    map_ = objects["map"]
    books = map_.unit
    listing = on_sale(books, name_zh="舆图丝巾", collection_object=map_, relation="adaptation", publish=False)
    assert "舆图丝巾" not in client.get(f"/library/objects/{map_.pk}/").content.decode()
    listings.listing_publish(listing=listing, on_sale=True, actor=operator_of(books))
    assert "舆图丝巾" in client.get(f"/library/objects/{map_.pk}/").content.decode()


def test_public_pages_show_web_size_derivatives_never_the_original_or_the_largest(client, library):
    museum, _books, objects = library
    mirror = objects["mirror"]
    data = make.encoded(make.quadrants(3000, 2000), "JPEG", quality=80)
    asset = services_catalog.image_asset_create(
        owner_key=f"unit:{museum.pk}",
        upload=SimpleUploadedFile("mirror.jpg", data, content_type="image/jpeg"),
    )
    services_catalog.image_asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    services.object_image_set(obj=mirror, asset=asset)
    sizes = {d["size"]: d["name"] for d in asset.derivatives}
    assert len(set(sizes.values())) == 4  # a photo large enough for four distinct sizes

    for url in (f"/library/objects/{mirror.pk}/", "/library/", f"/en/library/objects/{mirror.pk}/"):
        html = client.get(url).content.decode()
        assert sizes[2048] not in html, url
        assert asset.original_name not in html and "originals/" not in html, url
    page = client.get(f"/library/objects/{mirror.pk}/").content.decode()
    assert sizes[512] in page and sizes[1024] in page
    # the picture states its size, so the page does not shift while it loads (3000 x 2000 -> 512 px wide)
    (web,) = (d for d in asset.derivatives if d["size"] == 512)
    assert (web["width"], web["height"]) == (512, 341)
    assert 'width="512" height="341" itemprop="image"' in page
    assert sizes[256] in client.get("/library/").content.decode()


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"rights": "stolen"}, 400, "没有已公开的藏品符合权利状态“stolen”"),
        ({"category": "<script>"}, 400, "没有已公开的藏品符合藏品类别“&lt;script&gt;”"),
        ({"unit": "abc"}, 400, "没有已公开的藏品符合文博单位“abc”"),
        ({"unit": "999999"}, 400, "没有已公开的藏品符合文博单位“999999”"),
        ({"unit_type": "zoo"}, 400, "单位类型“zoo”"),
        ({"era": "侏罗纪"}, 400, "年代“侏罗纪”"),
        ({"page": "abc"}, 400, "页码须为从 1 开始的整数"),
        ({"page": "0"}, 400, "页码须为从 1 开始的整数"),
        ({"page": "-3"}, 400, "页码须为从 1 开始的整数"),
        ({"page": "99"}, 404, "没有第 99 页：结果共 1 页"),
        ({"q": "镜" * 101}, 400, "搜索词过长"),
        ({"unit": "9" * 19}, 400, "文博单位“" + "9" * 19 + "”"),
    ],
)
def test_bad_input_is_answered_with_a_clear_page_not_an_error(client, library, query, status, message):
    response = client.get("/library/", query)
    assert response.status_code == status
    html = response.content.decode()
    assert message in html
    assert "查看不加这些筛选条件的资源库" in html


def test_bad_input_in_english(client, library):
    response = client.get("/en/library/", {"rights": "stolen", "page": "2"})
    assert response.status_code == 400
    assert "No published object has the Rights “stolen”." in response.content.decode()


def test_pages_of_results(client, library, settings, monkeypatch):
    from resources import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    first = client.get("/library/").content.decode()
    assert "第 1 页，共 3 页" in first and 'rel="next" href="/library/?page=2"' in first
    third = client.get("/library/", {"page": "3"}).content.decode()
    assert "第 3 页，共 3 页" in third and 'rel="prev"' in third and 'rel="next"' not in third
    assert third.count('class="card"') == 1
    assert client.get("/library/", {"page": "4"}).status_code == 404


def test_the_product_link_tag_names_the_published_object_of_a_product_on_sale(library):
    from resources.templatetags.library_links import library_object_url

    museum, _books, objects = library
    made = on_sale(museum, name_zh="编钟冰箱贴", collection_object=objects["bells"], relation="adaptation")
    secret = on_sale(museum, name_zh="玉璧书签", collection_object=objects["secret"], relation="inspired_by")
    plain = on_sale(museum, name_zh="普通书签")

    assert library_object_url(made.slug) == reverse("library:object", kwargs={"pk": objects["bells"].pk})
    assert library_object_url(secret.slug) == ""  # its object is not published
    assert library_object_url(plain.slug) == ""
    assert library_object_url("apple-juice") == ""  # a product this service did not make

    services.publication_set(obj=objects["bells"], published=False, actor=operator_of(museum))
    assert library_object_url(made.slug) == ""
