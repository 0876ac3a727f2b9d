"""The search page and suggestions: hits from this service's index, cards from Saleor (a recorded card
re-aimed at our product's slug stands in for Saleor at the HTTP edge), facets and sorting as links, no
JavaScript needed."""

from __future__ import annotations

import copy
import html
import json
from urllib.parse import urlencode

import httpx
import pytest
import respx

from catalog.models import Listing
from tests.conftest import RECORDED_API_URL
from tests.recording import load_exchange
from tests.search.helpers import active_unit, mirror_coasters, on_sale

pytestmark = pytest.mark.django_db
CARD = load_exchange("StorefrontProducts.unit")["response"]["data"]["products"]["edges"][0]["node"]


@pytest.fixture(autouse=True)
def _fresh_search_caches(monkeypatch):
    from search import selectors

    selectors._versions.clear()
    selectors._synonyms.clear()
    selectors._vocabulary.clear()
    monkeypatch.setattr(selectors, "VERSION_CHECK_SECONDS", 0)


@pytest.fixture
def shop(settings):
    settings.SALEOR_API_URL = RECORDED_API_URL
    museum, library = active_unit("三峡博物馆"), active_unit("重庆图书馆")
    mirror = on_sale(
        museum,
        name_zh="四神铜镜书签",
        name_en="Four Spirits mirror bookmark",
        price_fen=3800,
        attributes={"wenchuang-material": "bronze", "wenchuang-era": "qin-han"},
    )
    coaster = mirror_coasters(museum)
    notebook = on_sale(library, name_zh="华阳国志笔记本", name_en="Huayang notebook", price_fen=4800)
    return museum, library, mirror, coaster, notebook


def synced(*listings: Listing) -> None:
    """As after the catalog sync: the products exist in Saleor."""
    Listing.objects.filter(pk__in=[x.pk for x in listings]).update(sync_status=Listing.Sync.DONE)


def saleor_cards(*listings: Listing, price_fen: int = 9900):
    """Saleor at the HTTP edge answering StorefrontProducts with a recorded card per listing, re-aimed."""
    nodes = []
    for listing in listings:
        node = copy.deepcopy(CARD)
        node.update({"slug": listing.slug, "name": listing.name_zh, "en": {"name": listing.name_en}})
        for end in ("start", "stop"):
            node["pricing"]["priceRange"][end]["gross"] = {
                "currency": "CNY",
                "fractionalAmount": price_fen,
                "fractionDigits": 2,
            }
        nodes.append({"node": node})
    body = {
        "data": {
            "products": {"totalCount": len(nodes), "pageInfo": {}, "edges": nodes},
            "categories": {"edges": []},
        }
    }
    mock = respx.mock(assert_all_called=False)
    route = mock.post(RECORDED_API_URL).mock(return_value=httpx.Response(200, json=body))
    return mock, route


def test_chinese_words_pinyin_and_initials_find_the_products_with_saleors_prices(client, shop):
    _museum, _library, mirror, coaster, _notebook = shop
    synced(mirror, coaster)
    mock, route = saleor_cards(mirror, coaster)

    with mock:
        page = html.unescape(client.get("/search/", {"q": "tongjing"}).content.decode())
        again = html.unescape(client.get("/search/", {"q": "tj"}).content.decode())
        sent = [json.loads(call.request.content)["variables"] for call in route.calls]

    assert "四神铜镜书签" in page and "铜镜纹杯垫" in page and "华阳国志笔记本" not in page
    assert "¥99.00" in page and "¥38.00" not in page  # the price shown is Saleor's
    assert sent[0]["filter"] == {"slugs": sorted([mirror.slug, coaster.slug])} and sent[0]["search"] is None
    assert len(sent) == 1 and "四神铜镜书签" in again  # the same page of products: Saleor's answer cached
    assert '<meta name="robots" content="noindex, follow">' in page


def test_pages_of_results_link_to_each_other_keeping_the_query(client, shop, monkeypatch):
    from search import selectors

    _museum, _library, mirror, coaster, _notebook = shop
    synced(mirror, coaster)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    mock, _route = saleor_cards(mirror, coaster)

    with mock:
        first = html.unescape(client.get("/search/", {"q": "铜镜"}).content.decode())
        second = html.unescape(client.get("/search/", {"q": "铜镜", "page": "2"}).content.decode())

    assert '<nav class="pager" aria-label="分页">' in first and "第 1 页，共 2 页" in first
    # the links keep the query and name only the page: relative to /search/ itself
    assert f'rel="next" href="?{urlencode({"q": "铜镜", "page": "2"})}"' in first
    assert 'rel="prev"' not in first
    assert "第 2 页，共 2 页" in second and 'rel="prev"' in second and 'rel="next"' not in second


def test_facets_are_links_with_counts_and_sorting_keeps_the_query(client, shop):
    museum, _library, mirror, coaster, _notebook = shop
    synced(mirror, coaster)
    mock, _route = saleor_cards(mirror, coaster)

    with mock:
        page = html.unescape(client.get("/search/", {"q": "铜镜", "sort": "price_asc"}).content.decode())
        by_material = html.unescape(
            client.get("/search/", {"q": "铜镜", "material": "wood"}).content.decode()
        )

    def link(**params) -> str:
        return "?" + urlencode({"q": "铜镜", "sort": "price_asc", **params})

    assert f'<a href="{link(unit=museum.pk)}">三峡博物馆</a> <span class="count">2</span>' in page
    assert f'<a href="{link(material="bronze")}">铜</a> <span class="count">1</span>' in page
    assert "sort=newest" in page and "sort=bestselling" in page
    assert "1 件商品" in by_material and "铜镜纹杯垫" in by_material and "四神铜镜书签" not in by_material


def test_english_pages_show_english_names_and_facets(client, shop):
    page = html.unescape(client.get("/en/search/", {"q": "bookmarks"}).content.decode())

    assert "Four Spirits mirror bookmark" in page and "Bronze or brass" in page and "Qin and Han" in page


def test_english_search_names_units_in_english_in_facets_and_cards_from_the_index(client, shop):
    _, library, *_ = shop
    library.legal_name_en = "Chongqing Library"
    library.save(update_fields=["legal_name_en"])
    with respx.mock(assert_all_called=False) as mock:
        mock.post(RECORDED_API_URL).mock(return_value=httpx.Response(500))  # not synced: never asked
        english = html.unescape(client.get("/en/search/", {"q": "笔记本"}).content.decode())
        chinese = html.unescape(client.get("/search/", {"q": "笔记本"}).content.decode())

    assert "Huayang notebook" in english
    assert english.count("Chongqing Library") >= 2 and "重庆图书馆" not in english  # the card and the facet
    assert "重庆图书馆" in chinese and "Chongqing Library" not in chinese


def test_a_product_approved_a_moment_ago_is_found_before_saleor_has_it(client, shop):
    """Not synced yet: its card comes from the index (approved name, price and image), Saleor not asked."""
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(RECORDED_API_URL).mock(return_value=httpx.Response(500))
        page = html.unescape(client.get("/search/", {"q": "笔记本"}).content.decode())
        asked = route.call_count

    assert "华阳国志笔记本" in page and "¥48.00" in page and "重庆图书馆" in page
    assert asked == 0


def test_a_product_saleor_does_not_show_is_left_out(client, shop):
    _museum, _library, mirror, coaster, _notebook = shop
    synced(mirror, coaster)
    mock, _route = saleor_cards(mirror)  # the coaster was unpublished in the Dashboard

    with mock:
        page = html.unescape(client.get("/search/", {"q": "铜镜"}).content.decode())

    assert "四神铜镜书签" in page and "铜镜纹杯垫" not in page


def test_unpublished_and_other_units_drafts_are_never_shown_or_suggested(client, shop):
    museum, _library, _mirror, _coaster, _notebook = shop
    on_sale(museum, name_zh="未上架丝巾", publish=False)

    page = html.unescape(client.get("/search/", {"q": "丝巾"}).content.decode())
    suggested = client.get("/search/suggest/", {"q": "sijin"}).json()

    assert "未上架丝巾" not in page and "0 件商品" in page
    assert suggested == {"terms": [], "products": []}


def test_no_results_suggest_the_nearest_terms(client, shop):
    page = html.unescape(client.get("/search/", {"q": "铜境"}).content.decode())

    assert "0 件商品" in page
    assert '<a href="/search/?q=%E9%93%9C%E9%95%9C">铜镜</a>' in page


def test_suggestions_are_json_for_the_script_and_the_form_works_without_it(client, shop):
    suggested = client.get("/en/search/suggest/", {"q": "tongj"}).json()
    home = client.get("/").status_code, None

    assert {"term": "铜镜", "url": "/en/search/?q=%E9%93%9C%E9%95%9C"} in suggested["terms"]
    assert {p["name"] for p in suggested["products"]} == {
        "Four Spirits mirror bookmark",
        "Mirror-pattern coasters",
    }
    assert home
    page = client.get("/search/", {"q": "笔记本"}).content.decode()
    assert '<form class="search" role="search" action="/search/" method="get">' in page
    assert '<script src="/static/storefront/search.js" defer></script>' in page
    assert "<script>" not in page and "onclick" not in page  # no inline script (CSP)


def test_malformed_parameters_are_dropped_not_errors(client, shop):
    response = client.get(
        "/search/",
        {
            "q": "笔记本",
            "unit": "x",
            "category": "evil",
            "material": "gold",
            "page": "999",
            "sort": "drop",
            "min": "-1",
        },
    )

    assert response.status_code == 200 and "华阳国志笔记本" in html.unescape(response.content.decode())
