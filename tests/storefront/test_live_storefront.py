"""The storefront against the live Saleor: a buyer's pages and cart; records what Saleor answered.

Run with SALEOR_API_URL set; add --record-saleor to refresh tests/recordings/saleor/graphql.Storefront*.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlencode

import pytest

from saleor_app.client import _http_client
from storefront.views import CHECKOUT_KEY, order_link
from tests.live_saleor import StaffSession
from tests.recording import GraphQLRecorder
from tests.storefront.live_catalog import live_shop_create, live_shop_remove

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(saleor_api_url):
    return StaffSession(saleor_api_url)


@pytest.fixture
def live_shop(settings, staff, saleor_api_url):
    settings.SALEOR_API_URL = saleor_api_url
    shop = live_shop_create(staff)
    try:
        yield shop
    finally:
        live_shop_remove(staff, shop)


@pytest.fixture
def recorder(record_saleor):
    recorder = GraphQLRecorder()
    hooks = _http_client().event_hooks["response"]
    hooks.append(recorder)
    try:
        yield recorder
    finally:
        hooks.remove(recorder)
        if record_saleor:
            recorder.save()


def errors(html: str) -> list[str]:
    return re.findall(r'role="alert">([^<]+)<', html)


def test_a_buyer_browses_units_fills_one_cart_across_units_and_reaches_payment(
    live_shop, recorder, client, rf
):
    museum = live_shop.museum
    museum_product, library_product = live_shop.museum_product, live_shop.library_product

    recorder.scene = "home"
    home = client.get("/")
    assert home.status_code == 200
    assert museum.display_name in home.content.decode()

    recorder.scene = "unit"
    shop = client.get(f"/units/{museum.pk}/").content.decode()
    assert museum_product["name"] in shop
    assert library_product["name"] not in shop
    assert "周二至周日" in shop

    recorder.scene = "search"
    word = museum_product["name"].split()[0]
    found = client.get("/search/", {"q": word}).content.decode()
    assert museum_product["name"] in found

    recorder.scene = "museum"
    page = client.get(f"/products/{museum_product['slug']}/").content.decode()
    assert "三峡博物馆 授权产品" in page
    assert "编钟纹样取自馆藏战国编钟" in page and "王小青" in page
    english = client.get(f"/en/products/{museum_product['slug']}/").content.decode()
    assert "Authorised product of 三峡博物馆" in english and "Warring States" in english
    variant = re.findall(r'name="variant" value="([^"]+)"', page)[0]

    recorder.scene = "category"
    category_path = re.findall(r'href="(/categories/[^"]+/)"', page)[0]
    assert museum_product["name"] in client.get(category_path).content.decode()

    recorder.scene = ""
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"/en/products/{museum_product['slug']}/" in sitemap and f"/units/{museum.pk}/" in sitemap

    recorder.scene = "library"
    page = client.get(f"/products/{library_product['slug']}/").content.decode()
    assert "授权产品" not in page and "李明" in page
    library_variant = re.findall(r'name="variant" value="([^"]+)"', page)[0]

    recorder.scene = ""
    client.post("/cart/add/", {"variant": variant, "quantity": 1})
    client.post("/cart/add/", {"variant": library_variant, "quantity": 2})

    recorder.scene = "too_many"
    back = f"/products/{library_product['slug']}/"
    refused = client.post(
        "/cart/add/", {"variant": library_variant, "quantity": 99, "next": back}, follow=True
    )
    assert any("库存不足" in e or "限购" in e for e in errors(refused.content.decode()))

    recorder.scene = "cart"
    cart = client.get("/cart/").content.decode()
    assert cart.index("三峡博物馆") < cart.index(museum_product["name"]) < cart.index("重庆图书馆")
    assert library_product["name"] in cart

    recorder.scene = "invalid"
    address = {
        "email": "buyer@example.cn",
        "name": "张三",
        "phone": "123",
        "province": "广东省",
        "city": "深圳市",
        "district": "南山区",
        "street": "科技园路1号",
        "postal_code": "518057",
    }
    bad = client.post("/checkout/", address)
    assert bad.status_code == 400
    assert "请输入有效的手机号码" in bad.content.decode()

    recorder.scene = ""
    assert client.post("/checkout/", {**address, "phone": "+86 138 0013 8000"}).status_code == 302
    recorder.scene = "address"
    form = client.get("/checkout/").content.decode()
    method = re.findall(r'name="method" value="([^"]+)"', form)[0]
    assert client.post("/checkout/delivery/", {"method": method}).status_code == 302

    recorder.scene = "ready"
    pay = client.get("/checkout/pay/").content.decode()
    assert 'id="pay"' in pay and "重庆图书馆" in pay

    recorder.scene = ""
    started = client.post("/checkout/pay/")
    # The payments app's card page takes over, for this very cart.
    assert started["Location"] == "/payments/gateway/pay?" + urlencode(
        {"checkout": client.session[CHECKOUT_KEY]}
    )

    request = rf.get("/")
    order = client.get(order_link(request, live_shop.order_id).removeprefix("http://testserver"))
    text = order.content.decode()
    assert order.status_code == 200
    assert "三峡博物馆" in text and "重庆图书馆" in text


def test_an_account_is_registered_and_a_customer_signs_in_to_see_orders(live_shop, recorder, client, staff):
    email = f"storefront-{uuid.uuid4().hex[:8]}@example.com"
    registered = client.post(
        "/account/register/", {"name": "测试", "email": email, "password": "Secret-pass-123"}
    )
    assert registered.status_code == 200 and "账户已创建" in registered.content.decode()

    # (No wrong-password attempt here: Saleor then delays every login from 127.0.0.1, other tests' too.)
    recorder.scene = ""
    signed_in = client.post("/account/login/", {"email": staff.email, "password": staff.password})
    assert signed_in.status_code == 302
    account = client.get("/account/")
    assert account.status_code == 200 and staff.email in account.content.decode()
