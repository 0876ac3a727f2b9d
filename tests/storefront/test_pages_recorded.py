"""Storefront pages on recorded real Saleor responses (respx at the HTTP edge; Redis cache is real)."""

from __future__ import annotations

import copy
import html as html_module
import json
import re
from urllib.parse import urlencode

import httpx
import pytest
import respx
from django.core import mail
from django.utils import timezone

from catalog import saleor_metadata as keys
from orders.models import Fulfilment, Order
from storefront.views import CHECKOUT_KEY, order_link
from storefront.webhooks import product_changed
from tests.conftest import RECORDED_API_URL
from tests.factories import SaleorInstallationFactory
from tests.recording import delivered, load_delivery, load_exchange, replay_scenes
from tests.storefront.conftest import SHENZHEN_BUYER
from tests.unit_onboarding.factories import UnitFactory
from unit_onboarding.models import Unit

pytestmark = pytest.mark.django_db
MUSEUM_PRODUCT = load_exchange("StorefrontProduct.museum")["response"]["data"]["product"]
LIBRARY_PRODUCT = load_exchange("StorefrontProduct.library")["response"]["data"]["product"]
CHECKOUT_ID = load_exchange("StorefrontCheckout.cart")["variables"]["id"]
# The live test gave the museum product and its category EN translations; the library product has none.
MUSEUM_EN = MUSEUM_PRODUCT["en"]
CATEGORY_EN = MUSEUM_PRODUCT["category"]["en"]["name"]


def unit_id_of(product: dict) -> int:
    return int(next(m["value"] for m in product["metadata"] if m["key"] == keys.UNIT_ID))


@pytest.fixture
def units(settings):
    settings.SALEOR_API_URL = RECORDED_API_URL
    museum = UnitFactory(
        pk=unit_id_of(MUSEUM_PRODUCT),
        status=Unit.Status.ACTIVE,
        display_name="三峡博物馆",
        legal_name_en="Three Gorges Museum",
        opening_hours="周二至周日 9:00-17:00",
    )
    library = UnitFactory(
        pk=unit_id_of(LIBRARY_PRODUCT), status=Unit.Status.ACTIVE, display_name="重庆图书馆"
    )
    return museum, library


@pytest.fixture
def saleor(units):
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def saleor_requests(route) -> list[dict]:
    return [json.loads(call.request.content) for call in route.calls]


def with_cart(client):
    session = client.session
    session[CHECKOUT_KEY] = CHECKOUT_ID
    session.save()


def test_home_shows_featured_units_and_new_arrivals_with_babel_prices(client, saleor):
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontHome.home")

    html = client.get("/").content.decode()

    newest = load_exchange("StorefrontHome.home")["response"]["data"]["products"]["edges"][0]["node"]
    assert "三峡博物馆" in html and "重庆图书馆" in html
    assert newest["name"] in html
    assert 'lang="zh-Hans"' in html
    assert route.call_count == 1


def test_a_cards_picture_says_only_what_its_linked_name_does_not(client, saleor):
    scene = copy.deepcopy(load_exchange("StorefrontHome.home"))
    edges = scene["response"]["data"]["products"]["edges"]
    first, second = edges[0]["node"], edges[1]["node"]
    first["thumbnail"]["alt"] = first["name"]  # the name again: a screen reader would read it twice
    second["thumbnail"]["alt"] = "印有博物馆馆徽的礼品卡正面"
    saleor.post(RECORDED_API_URL).mock(return_value=httpx.Response(200, json=scene["response"]))

    page = html_module.unescape(client.get("/").content.decode())

    cards = dict(re.findall(r'<img src="([^"]+)"[^>]* alt="([^"]*)"', page))
    assert cards[first["thumbnail"]["url"]] == ""
    assert cards[second["thumbnail"]["url"]] == "印有博物馆馆徽的礼品卡正面"
    assert cards[edges[2]["node"]["thumbnail"]["url"]] == ""  # Saleor's media had no text


def test_unit_shop_lists_only_its_products_in_one_query_then_from_cache(client, saleor, units):
    museum, _ = units
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontProducts.unit")

    first = client.get(f"/units/{museum.pk}/").content.decode()
    again = client.get(f"/units/{museum.pk}/").content.decode()

    assert MUSEUM_PRODUCT["name"] in first and LIBRARY_PRODUCT["name"] not in first
    assert "周二至周日" in first
    assert again == first
    assert route.call_count == 1
    sent = saleor_requests(route)[0]["variables"]
    assert sent["filter"]["metadata"] == [{"key": keys.UNIT_ID, "value": str(museum.pk)}]


def test_an_unknown_or_inactive_unit_is_not_found_without_asking_saleor(client, saleor):
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontProducts.unit")
    inactive = UnitFactory(pk=9000, status=Unit.Status.APPLYING)

    assert client.get(f"/units/{inactive.pk}/").status_code == 404
    assert client.get("/units/999999/").status_code == 404
    assert route.call_count == 0


def test_product_page_shows_licence_provenance_designer_gallery_and_meta(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontProduct.museum")

    html = client.get(f"/products/{MUSEUM_PRODUCT['slug']}/").content.decode()

    assert "三峡博物馆 授权产品" in html
    assert "鎏金铜编钟" in html and "编钟纹样取自馆藏战国编钟" in html and "王小青" in html
    assert re.search(r'<p class="seller">\S+ 三峡博物馆</p>', html)
    assert re.search(r'srcset="[^"]+ 256w, [^"]+ 512w, [^"]+ 1024w"', html)
    assert 'href="#zoom-1"' in html and 'id="zoom-1"' in html  # zoom without JavaScript
    assert f'<link rel="canonical" href="http://testserver/products/{MUSEUM_PRODUCT["slug"]}/">' in html
    assert '<meta property="og:type" content="product">' in html
    assert 'hreflang="en" href="http://testserver/en/products/' in html


def attribute_rows(html: str) -> dict[str, list[str]]:
    """The product page's attribute list: {name: [values]}, in the page's order."""
    section = html.split('<section class="attributes"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<dt itemprop="name">([^<]+)</dt>((?:<dd itemprop="value">[^<]+</dd>)+)', section)
    return {name: re.findall(r">([^<]+)</dd>", values) for name, values in rows}


def test_product_page_lists_the_products_attributes_under_the_description(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontProduct.museum")

    html = client.get(f"/products/{MUSEUM_PRODUCT['slug']}/").content.decode()

    assert html.index('itemprop="description"') < html.index('class="attributes"')
    assert '<h2 id="attrs-h">商品参数</h2>' in html
    rows = attribute_rows(html)
    # The catalog's attributes (Chinese names in Saleor) and the demo product's own flavor; the page
    # reference "Brand" has no text to show.
    assert list(rows.items()) == [  # in Saleor's order
        ("Flavor", ["Apple"]),
        ("源物年代", ["商周"]),
        ("最长边尺寸", ["18.5厘米"]),
        ("材质", ["铜"]),
    ]


def test_product_page_in_english_shows_saleors_translations_of_attributes_and_values(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontProduct.museum")

    html = client.get(f"/en/products/{MUSEUM_PRODUCT['slug']}/").content.decode()

    assert '<h2 id="attrs-h">Details</h2>' in html
    assert list(attribute_rows(html).items()) == [
        ("Flavor", ["Apple"]),
        ("Era of the source object", ["Shang and Zhou"]),
        ("Size, longest side", ["18.5 cm"]),
        ("Material", ["Bronze or brass"]),
    ]


def test_an_attribute_without_an_english_translation_reads_in_chinese_on_english_pages(client, saleor):
    untranslated = [
        {**a, "attribute": {**a["attribute"], "translation": None}, "choice": {**a["choice"], "en": None}}
        if a["attribute"]["slug"] == "wenchuang-material"
        else a
        for a in MUSEUM_PRODUCT["assignedAttributes"]
    ]
    product = {**MUSEUM_PRODUCT, "assignedAttributes": untranslated}
    saleor.post(RECORDED_API_URL).mock(return_value=httpx.Response(200, json={"data": {"product": product}}))

    rows = attribute_rows(client.get(f"/en/products/{product['slug']}/").content.decode())

    assert rows["材质"] == ["铜"] and rows["Era of the source object"] == ["Shang and Zhou"]


def test_product_page_in_english_uses_the_english_story_and_price_format(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontProduct.museum")

    html = client.get(f"/en/products/{MUSEUM_PRODUCT['slug']}/").content.decode()

    assert 'lang="en"' in html
    assert "Authorised product of 三峡博物馆" in html and "Warring States" in html
    assert "Sold by Three Gorges Museum" in html
    price = MUSEUM_PRODUCT["pricing"]["priceRange"]["start"]["gross"]
    assert price["currency"] == "USD"
    dollars = f"${price['fractionalAmount'] / 10 ** price['fractionDigits']:.2f}"
    assert dollars in html and "US$" not in html  # Babel's en format of the recorded USD price


def test_the_product_page_reads_saleors_english_translation_on_english_pages_from_one_cached_answer(
    client, saleor
):
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontProduct.museum")
    slug = MUSEUM_PRODUCT["slug"]
    assert MUSEUM_EN["name"] and MUSEUM_EN["name"] != MUSEUM_PRODUCT["name"]  # the recording carries one

    chinese = html_module.unescape(client.get(f"/products/{slug}/").content.decode())
    english = html_module.unescape(client.get(f"/en/products/{slug}/").content.decode())

    assert route.call_count == 1  # both languages from the one cached Saleor answer
    assert f'<h1 itemprop="name">{MUSEUM_PRODUCT["name"]}</h1>' in chinese
    assert MUSEUM_EN["name"] not in chinese
    assert f'<h1 itemprop="name">{MUSEUM_EN["name"]}</h1>' in english
    assert f"<title>{MUSEUM_EN['seoTitle']} · " in english
    assert f'<meta property="og:title" content="{MUSEUM_EN["name"]}">' in english
    assert f'<meta name="description" content="{MUSEUM_EN["seoDescription"]}">' in english
    assert "<p>A bookmark with the pattern of a Warring States chime bell.</p>" in english
    assert f">{CATEGORY_EN}</a>" in english and f">{MUSEUM_PRODUCT['category']['name']}</a>" in chinese
    assert f'<link rel="canonical" href="http://testserver/en/products/{slug}/">' in english
    assert f'hreflang="zh-Hans" href="http://testserver/products/{slug}/"' in english


def test_without_an_english_translation_english_pages_read_the_original(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontProduct.library")
    assert LIBRARY_PRODUCT["en"] is None

    english = html_module.unescape(client.get(f"/en/products/{LIBRARY_PRODUCT['slug']}/").content.decode())

    assert f'<h1 itemprop="name">{LIBRARY_PRODUCT["name"]}</h1>' in english
    assert f"<title>{LIBRARY_PRODUCT['seoTitle'] or LIBRARY_PRODUCT['name']} · " in english


def test_an_empty_or_partial_translation_falls_back_field_by_field(client, saleor):
    # A listing without an English description: the catalog sync sends an empty Editor.js document.
    empty = json.dumps({"blocks": [], "version": "2.24.3"})
    en = {"name": "Chime-bell bookmark", "description": empty, "seoTitle": None, "seoDescription": None}
    product = {**MUSEUM_PRODUCT, "en": en}
    saleor.post(RECORDED_API_URL).mock(return_value=httpx.Response(200, json={"data": {"product": product}}))

    english = html_module.unescape(client.get(f"/en/products/{product['slug']}/").content.decode())

    original = json.loads(MUSEUM_PRODUCT["description"])["blocks"][0]["data"]["text"]
    assert '<h1 itemprop="name">Chime-bell bookmark</h1>' in english
    assert original in english  # the Chinese description, not an empty one
    assert "<title>Chime-bell bookmark · " in english  # no EN SEO title: the English name


def test_a_named_variant_reads_its_english_translation_on_english_pages(client, saleor):
    named = {**MUSEUM_PRODUCT["variants"][0], "name": "大号", "en": {"name": "Large"}}
    product = {**MUSEUM_PRODUCT, "variants": [named]}
    saleor.post(RECORDED_API_URL).mock(return_value=httpx.Response(200, json={"data": {"product": product}}))

    chinese = client.get(f"/products/{product['slug']}/").content.decode()
    english = client.get(f"/en/products/{product['slug']}/").content.decode()

    assert "<span>大号</span>" in chinese and "Large" not in chinese
    assert "<span>Large</span>" in english


def test_a_product_without_our_metadata_is_sold_by_the_platform(client, saleor):
    plain = {**LIBRARY_PRODUCT, "metadata": []}
    saleor.post(RECORDED_API_URL).mock(return_value=httpx.Response(200, json={"data": {"product": plain}}))

    html = client.get(f"/products/{plain['slug']}/").content.decode()

    assert "平台自营" in html and "授权产品" not in html


def test_a_missing_product_is_a_404(client, saleor):
    saleor.post(RECORDED_API_URL).mock(return_value=httpx.Response(200, json={"data": {"product": None}}))

    assert client.get("/products/no-such-thing/").status_code == 404


def test_a_product_webhook_makes_the_next_view_ask_saleor_again(
    client, saleor, django_capture_on_commit_callbacks
):
    """The recorded delivery is Saleor's product_updated for the museum product (apple-juice)."""
    delivery = load_delivery("product_updated")
    assert json.loads(delivery["body"])["product"]["slug"] == MUSEUM_PRODUCT["slug"]
    installation = SaleorInstallationFactory(api_url=delivery["api_url"], app_id=delivery["app_id"])
    saleor.get(installation.jwks_url).mock(return_value=httpx.Response(200, json=delivery["jwks"]))
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontProduct.museum")
    client.get(f"/products/{MUSEUM_PRODUCT['slug']}/")
    client.get(f"/products/{MUSEUM_PRODUCT['slug']}/")
    assert route.call_count == 1

    with django_capture_on_commit_callbacks(execute=True):  # the inbox processes after commit
        response = delivered(client, delivery)
    assert response.status_code == 200
    client.get(f"/products/{MUSEUM_PRODUCT['slug']}/")

    assert route.call_count == 2


def test_category_page_lists_its_products(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontCategory.category")
    category = load_exchange("StorefrontCategory.category")["response"]["data"]["category"]

    html = client.get(f"/categories/{category['slug']}/").content.decode()

    assert f"<h1>{category['name']}</h1>" in html
    assert MUSEUM_PRODUCT["name"] in html
    english = html_module.unescape(client.get(f"/en/categories/{category['slug']}/").content.decode())
    assert f"<h1>{CATEGORY_EN}</h1>" in english and f"<title>{CATEGORY_EN} · " in english
    assert MUSEUM_EN["name"] in english and LIBRARY_PRODUCT["name"] in english  # one untranslated


def test_unit_shop_and_home_name_products_and_categories_in_the_pages_language(client, saleor, units):
    museum, _ = units
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontProducts.unit", "StorefrontHome.home")

    chinese = html_module.unescape(client.get(f"/units/{museum.pk}/").content.decode())
    english = html_module.unescape(client.get(f"/en/units/{museum.pk}/").content.decode())
    home = html_module.unescape(client.get("/en/").content.decode())

    assert route.call_count == 2  # one listing answer per page kind, whatever the language
    assert MUSEUM_PRODUCT["name"] in chinese and MUSEUM_EN["name"] not in chinese
    assert MUSEUM_EN["name"] in english and MUSEUM_PRODUCT["name"] not in english
    assert MUSEUM_EN["name"] in home and "Banana Juice" in home  # translated, and an original
    assert ">文具</a>" in home  # a category Saleor has no English name for yet


def test_english_pages_name_units_in_english_where_they_have_an_english_name(client, saleor, units):
    museum, library = units
    Unit.objects.filter(pk=library.pk).update(legal_name_en="")
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontProducts.unit", "StorefrontHome.home")

    home_en = html_module.unescape(client.get("/en/").content.decode())
    home_zh = html_module.unescape(client.get("/").content.decode())
    shop_en = html_module.unescape(client.get(f"/en/units/{museum.pk}/").content.decode())
    shop_zh = html_module.unescape(client.get(f"/units/{museum.pk}/").content.decode())

    # The featured units are named as the product cards name their seller (catalog sync's unit_name_en).
    assert "<span>Three Gorges Museum</span>" in home_en and "<span>三峡博物馆</span>" not in home_en
    assert "<span>重庆图书馆</span>" in home_en  # no English name: the Chinese one
    assert "<span>三峡博物馆</span>" in home_zh and "Three Gorges Museum" not in home_zh
    assert "Three Gorges Museum</h1>" in shop_en and "<title>Three Gorges Museum" in shop_en
    assert "三峡博物馆</h1>" in shop_zh


def test_a_municipality_units_address_names_the_municipality_once(client, saleor, units):
    museum, _ = units
    Unit.objects.filter(pk=museum.pk).update(
        province="重庆市", city="重庆市", district="渝中区", street="人民路236号"
    )
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontProducts.unit")

    page = html_module.unescape(client.get(f"/units/{museum.pk}/").content.decode())

    assert "<address>重庆市渝中区人民路236号</address>" in page  # not 重庆市重庆市 as the demo showed


def test_adding_to_the_cart_never_redirects_off_site(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontCheckoutCreate")

    response = client.post("/cart/add/", {"variant": "v", "quantity": 0, "next": "//evil.example/"})

    assert response["Location"] == "/cart/"


def test_cart_is_one_checkout_with_lines_grouped_by_unit(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontCheckout.cart")
    with_cart(client)

    html = client.get("/cart/").content.decode()

    assert (
        html.index("<h2>三峡博物馆</h2>")
        < html.index(MUSEUM_PRODUCT["name"])
        < html.index("<h2>重庆图书馆</h2>")
    )
    assert html.index("<h2>重庆图书馆</h2>") < html.index(LIBRARY_PRODUCT["name"])
    assert MUSEUM_EN["name"] not in html
    english = html_module.unescape(client.get("/en/cart/").content.decode())
    assert MUSEUM_EN["name"] in english and LIBRARY_PRODUCT["name"] in english


def test_adding_to_the_cart_creates_the_checkout_once_then_adds_lines(client, saleor):
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontCheckoutCreate", "StorefrontCheckoutLinesAdd")

    client.post("/cart/add/", {"variant": "UHJvZHVjdFZhcmlhbnQ6Mzg0", "quantity": 1})
    client.post("/cart/add/", {"variant": "UHJvZHVjdFZhcmlhbnQ6MzQ4", "quantity": 2})

    names = [r["operationName"] for r in saleor_requests(route)]
    assert names == ["StorefrontCheckoutCreate", "StorefrontCheckoutLinesAdd"]
    assert (
        client.session[CHECKOUT_KEY]
        == load_exchange("StorefrontCheckoutCreate")["response"]["data"]["checkoutCreate"]["checkout"]["id"]
    )


def test_too_many_gets_an_inline_message_on_the_product_page(client, saleor):
    replay_scenes(
        saleor, RECORDED_API_URL, "StorefrontCheckoutLinesAdd.too_many", "StorefrontProduct.library"
    )
    with_cart(client)
    back = f"/products/{LIBRARY_PRODUCT['slug']}/"

    response = client.post("/cart/add/", {"variant": "v", "quantity": 99, "next": back}, follow=True)

    assert response.redirect_chain[-1][0] == back
    assert "超出了每位顾客的限购数量" in response.content.decode()


def test_a_quantity_out_of_range_is_refused_before_saleor_is_asked(client, saleor):
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontCheckoutCreate")

    response = client.post("/cart/add/", {"variant": "v", "quantity": 0}, follow=True)

    assert "请输入 1 到 99 之间的数量" in response.content.decode()
    assert route.call_count == 0


def test_an_invalid_phone_is_shown_next_to_the_phone_field(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontCheckoutContact.invalid", "StorefrontCheckout.invalid")
    with_cart(client)
    address = {**SHENZHEN_BUYER, "phone": "123"}

    response = client.post("/checkout/", address)

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(
        r'id="id_phone"[^>]*>\s*<span class="error" id="id_phone-error" role="alert">请输入有效的手机号码',
        html,
    )
    assert 'value="科技园路1号"' in html  # what the buyer typed is kept


def test_checkout_offers_shipping_methods_after_the_address(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontCheckout.address")
    with_cart(client)

    html = client.get("/checkout/").content.decode()

    methods = load_exchange("StorefrontCheckout.address")["response"]["data"]["checkout"]["shippingMethods"]
    assert len(methods) >= 1
    for method in methods:
        assert f'name="method" value="{method["id"]}"' in html
    assert 'value="广东省"' in html and 'value="南山区"' in html


def test_pay_page_shows_the_total_and_hands_the_buyer_to_the_payments_page(client, saleor):
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontCheckout.ready")
    with_cart(client)

    page = client.get("/checkout/pay/").content.decode()
    calls_for_page = route.call_count
    started = client.post("/checkout/pay/")

    assert 'id="pay"' in page
    assert started.status_code == 302
    assert started["Location"] == "/payments/gateway/pay?" + urlencode({"checkout": CHECKOUT_ID})
    # the storefront reads the checkout once more (to take any campaign tier's items before the payment); the
    # payments page starts the payment, not the storefront
    assert route.call_count == calls_for_page + 1


RECORDED_ORDER = load_exchange("StorefrontOrder")["response"]["data"]["order"]
SHIPPED_ORDER = load_exchange("StorefrontOrder.shipped")["response"]["data"]["order"]
OTHER_CHECKOUT = "Q2hlY2tvdXQ6b3RoZXI="


def order_html(client, rf, order_id: str) -> str:
    return client.get(order_link(rf.get("/"), order_id).removeprefix("http://testserver")).content.decode()


def by_unit(html: str) -> dict[str, str]:
    """Each unit's section of an order page, by its heading."""
    sections = re.findall(r'<section class="seller-group">\s*<h2>([^<]+)</h2>(.*?)</section>', html, re.S)
    return dict(sections)


def test_the_recorded_order_was_made_from_the_recorded_cart():
    assert RECORDED_ORDER["checkoutId"] == CHECKOUT_ID
    assert SHIPPED_ORDER["id"] == RECORDED_ORDER["id"]


def test_the_signed_order_link_shows_the_order_grouped_by_unit_nothing_shipped_yet(client, saleor, rf):
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontOrder")
    link = order_link(rf.get("/"), RECORDED_ORDER["id"]).removeprefix("http://testserver")

    html = client.get(link).content.decode()

    sections = by_unit(html)
    assert list(sections) == ["三峡博物馆", "重庆图书馆"]
    assert all("待发货" in part and "shipments" not in part for part in sections.values())
    assert route.call_count == 1
    assert client.get(link[:-3] + "xx/").status_code == 404  # tampered signature
    assert MUSEUM_EN["name"] not in html
    english = html_module.unescape(client.get("/en" + link).content.decode())
    assert MUSEUM_EN["name"] in english and LIBRARY_PRODUCT["name"] in english


def test_each_unit_shows_its_own_shipment_with_carrier_and_tracking_number(client, saleor, rf, units):
    museum, _ = units
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontOrder.shipped")
    shipped = SHIPPED_ORDER["fulfillments"][0]
    order = Order.objects.create(
        saleor_id=SHIPPED_ORDER["id"],
        status="UNFULFILLED",
        currency="USD",
        total=1,
        saleor_updated_at=timezone.now(),
    )
    # The museum's operator named the carrier when fulfilling in the unit portal; Saleor keeps no carrier.
    Fulfilment.objects.create(
        order=order, saleor_id=shipped["id"], unit=museum, status="FULFILLED", carrier="顺丰速运"
    )

    sections = by_unit(order_html(client, rf, SHIPPED_ORDER["id"]))

    assert "已发货" in sections["三峡博物馆"]
    assert (
        f'顺丰速运: 运单号 <span class="tracking-number">{shipped["trackingNumber"]}</span>'
        in sections["三峡博物馆"]
    )
    assert "待发货" in sections["重庆图书馆"] and shipped["trackingNumber"] not in sections["重庆图书馆"]
    assert route.call_count == 1  # one Saleor query for the page; carriers come from this service's DB


def test_a_unit_that_shipped_part_of_its_lines_shows_partly_shipped(client, saleor, rf):
    museum_line = SHIPPED_ORDER["fulfillments"][0]["lines"][0]["orderLine"]["id"]
    lines = [
        {**line, "quantity": line["quantity"] + 1} if line["id"] == museum_line else line
        for line in SHIPPED_ORDER["lines"]
    ]
    saleor.post(RECORDED_API_URL).mock(
        return_value=httpx.Response(200, json={"data": {"order": {**SHIPPED_ORDER, "lines": lines}}})
    )

    sections = by_unit(order_html(client, rf, SHIPPED_ORDER["id"]))

    assert "部分已发货" in sections["三峡博物馆"]
    assert (
        SHIPPED_ORDER["fulfillments"][0]["trackingNumber"] in sections["三峡博物馆"]
    )  # no carrier known: number only


def test_a_canceled_fulfilment_is_not_a_shipment(client, saleor, rf):
    canceled = [{**f, "status": "CANCELED"} for f in SHIPPED_ORDER["fulfillments"]]
    lines = [{**line, "quantityFulfilled": 0} for line in SHIPPED_ORDER["lines"]]
    order = {**SHIPPED_ORDER, "fulfillments": canceled, "lines": lines}
    saleor.post(RECORDED_API_URL).mock(return_value=httpx.Response(200, json={"data": {"order": order}}))

    sections = by_unit(order_html(client, rf, SHIPPED_ORDER["id"]))

    assert all("待发货" in part and "tracking-number" not in part for part in sections.values())


def paid(client, checkout_id: str = CHECKOUT_ID, order_id: str = RECORDED_ORDER["id"], **kwargs):
    return client.get("/checkout/paid/", {"checkout": checkout_id, "order": order_id}, **kwargs)


def test_a_paid_checkout_mails_the_signed_order_link_and_shows_the_order_once(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontOrder")
    with_cart(client)

    response = paid(client, follow=True)
    reloaded = paid(client)

    assert response.status_code == 200 and "<h2>三峡博物馆</h2>" in response.content.decode()
    assert CHECKOUT_KEY not in client.session
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [RECORDED_ORDER["userEmail"]]
    assert response.redirect_chain[0][0] in mail.outbox[0].body
    assert reloaded.status_code == 302 and reloaded["Location"] == "/cart/"  # no second mail


@pytest.mark.parametrize("session_checkout", [None, OTHER_CHECKOUT], ids=["no-cart", "other-cart"])
def test_a_paid_link_for_a_checkout_not_in_this_session_gets_no_order(client, saleor, session_checkout):
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontOrder")
    if session_checkout:
        session = client.session
        session[CHECKOUT_KEY] = session_checkout
        session.save()

    response = paid(client)

    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert route.call_count == 0 and mail.outbox == []
    assert client.session.get(CHECKOUT_KEY) == session_checkout  # the buyer's own cart is kept


def made_from(saleor, checkout_id: str | None):
    """Saleor answering StorefrontOrder with the recorded order as if made from `checkout_id`."""
    order = {**RECORDED_ORDER, "checkoutId": checkout_id}
    saleor.post(RECORDED_API_URL).mock(return_value=httpx.Response(200, json={"data": {"order": order}}))


def test_someone_elses_order_is_not_shown_or_mailed(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontOrder")  # made from CHECKOUT_ID
    session = client.session
    session[CHECKOUT_KEY] = OTHER_CHECKOUT  # this browser's cart is another one
    session.save()

    response = paid(client, checkout_id=OTHER_CHECKOUT)

    assert response.status_code == 404
    assert mail.outbox == [] and "/orders/" not in response.content.decode()
    assert client.session[CHECKOUT_KEY] == OTHER_CHECKOUT


@pytest.mark.parametrize(
    ("checkout_of_order", "order_id"),
    [(None, RECORDED_ORDER["id"]), (CHECKOUT_ID, "not-an-order-id")],
    ids=["no-checkout", "malformed-id"],
)
def test_an_order_not_made_from_the_session_checkout_is_not_shown_or_mailed(
    client, saleor, checkout_of_order, order_id
):
    made_from(saleor, checkout_of_order)
    with_cart(client)

    response = paid(client, order_id=order_id)

    assert response.status_code == 404
    assert mail.outbox == []
    assert "/orders/" not in response.content.decode()
    assert client.session[CHECKOUT_KEY] == CHECKOUT_ID


def test_sign_in_keeps_the_customer_token_in_the_session_and_lists_orders(client, saleor):
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontTokenCreate", "StorefrontMe")
    me = load_exchange("StorefrontMe")["response"]["data"]["me"]

    signed_in = client.post("/account/login/", {"email": me["email"], "password": "x"})
    account = client.get("/account/").content.decode()

    assert signed_in.status_code == 302
    assert me["email"] in account
    # The recorded buyer's order: the museum has shipped, the library not yet.
    assert [e["node"]["number"] for e in me["orders"]["edges"]] == [SHIPPED_ORDER["number"]]
    assert f">{SHIPPED_ORDER['number']}</a>" in account and "部分已发货" in account
    assert "PARTIALLY_FULFILLED" not in account
    me_request = route.calls[-1].request
    assert me_request.headers["Authorization"] == "Bearer <redacted>"  # the recorded (redacted) token


def test_a_stale_customer_token_is_refreshed_once_and_kept(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontTokenCreate")
    client.post("/account/login/", {"email": "admin@example.com", "password": "x"})
    answers = {
        "StorefrontMe": [load_exchange("StorefrontMe.stale_token"), load_exchange("StorefrontMe")],
        "StorefrontTokenRefresh": [load_exchange("StorefrontTokenRefresh")],
    }
    sent = []

    def respond(request):
        name = json.loads(request.content)["operationName"]
        sent.append(name)
        exchange = answers[name].pop(0)
        return httpx.Response(exchange["status"], json=exchange["response"])

    saleor.post(RECORDED_API_URL).mock(side_effect=respond)

    account = client.get("/account/")

    assert load_exchange("StorefrontMe")["response"]["data"]["me"]["email"] in account.content.decode()
    assert sent == ["StorefrontMe", "StorefrontTokenRefresh", "StorefrontMe"]
    assert client.session["sf_customer"]["token"] == "<redacted>"  # the refreshed (recorded) token


def test_a_refused_sign_in_is_a_form_error(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontTokenCreate.wrong_password")

    response = client.post("/account/login/", {"email": "admin@example.com", "password": "x"})

    assert response.status_code == 400
    assert "邮箱或密码不正确" in response.content.decode()


def test_register_says_to_confirm_the_email(client, saleor):
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontAccountRegister")

    response = client.post(
        "/account/register/", {"name": "测", "email": "n@example.com", "password": "long-enough"}
    )

    assert "请点击我们发送的链接确认邮箱" in response.content.decode()


def test_sitemap_lists_units_categories_and_products_in_both_languages(client, saleor, units):
    museum, _ = units
    replay_scenes(saleor, RECORDED_API_URL, "StorefrontSitemap")

    xml = client.get("/sitemap.xml").content.decode()

    assert f"<loc>http://testserver/units/{museum.pk}/</loc>" in xml
    assert f"<loc>http://testserver/en/products/{MUSEUM_PRODUCT['slug']}/</loc>" in xml
    assert "robots" not in xml and client.get("/robots.txt").content.decode().endswith("sitemap.xml\n")


def test_saleor_down_gives_a_friendly_503_with_a_retry_link(client, saleor, settings):
    settings.SALEOR_MAX_RETRIES = 0
    saleor.post(RECORDED_API_URL).mock(side_effect=httpx.ConnectError("refused"))

    response = client.get("/categories/tea/")

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "马上回来" in html and 'href="/categories/tea/"' in html
    assert "Traceback" not in html


def test_saleor_answering_500_is_also_the_friendly_page(client, saleor, settings):
    settings.SALEOR_MAX_RETRIES = 0
    saleor.post(RECORDED_API_URL).mock(return_value=httpx.Response(500, text="boom"))

    assert client.get("/").status_code == 503


def test_a_product_webhook_also_refreshes_listings(client, saleor, units):
    museum, _ = units
    route = replay_scenes(saleor, RECORDED_API_URL, "StorefrontProducts.unit")
    client.get(f"/units/{museum.pk}/")

    product_changed(
        event_type="product_updated", payload={"product": {"id": "x", "slug": "y"}}, installation=None
    )
    client.get(f"/units/{museum.pk}/")

    assert route.call_count == 2
