"""The storefront against the live Saleor: a buyer's pages, cart, payment (this service installed as the
payment app, localstripe as Stripe) and order; records what Saleor answered.

Run with SALEOR_API_URL set; add --record-saleor to refresh tests/recordings/saleor/graphql.Storefront*.
"""

from __future__ import annotations

import html
import re
import uuid
from urllib.parse import urlencode

import httpx
import pytest

from storefront.views import CHECKOUT_KEY
from tests.live_saleor import StaffSession
from tests.recording import GraphQLRecorder, listening
from tests.storefront.conftest import SHENZHEN_BUYER
from tests.storefront.live_catalog import CATEGORY_EN, MUSEUM_EN

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def recorder(record_saleor):
    recorder = GraphQLRecorder(prefix="Storefront")  # the payments app's operations are not ours to record
    with listening(recorder):
        try:
            yield recorder
        finally:
            if record_saleor:
                recorder.save()


def errors(html: str) -> list[str]:
    return re.findall(r'role="alert">([^<]+)<', html)


def test_a_buyer_fills_one_cart_across_units_pays_and_follows_each_units_shipment(
    live_shop, payment_app, recorder, client, staff, settings, buyer_email
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
    shop_en = html.unescape(client.get(f"/en/units/{museum.pk}/").content.decode())  # the same cached answer
    assert MUSEUM_EN["name"] in shop_en and museum_product["name"] not in shop_en

    recorder.scene = "museum"
    page = client.get(f"/products/{museum_product['slug']}/").content.decode()
    assert "三峡博物馆 授权产品" in page
    assert "编钟纹样取自馆藏战国编钟" in page and "王小青" in page
    details = page.split('class="attributes"')[1]  # the catalog's attributes, Chinese names from Saleor
    assert all(f'<dt itemprop="name">{name}</dt>' in details for name in ("材质", "源物年代", "最长边尺寸"))
    assert ">铜<" in details and ">商周<" in details and ">18.5厘米<" in details
    english = client.get(f"/en/products/{museum_product['slug']}/").content.decode()
    assert "Authorised product of 三峡博物馆" in english and "Warring States" in english
    details = english.split('class="attributes"')[1]  # Saleor's EN translations (the catalog sync's)
    assert ">Material<" in details and ">Bronze or brass<" in details
    assert ">Era of the source object<" in details and ">Shang and Zhou<" in details
    assert ">Size, longest side<" in details and ">18.5 cm<" in details
    # The product's own texts: Saleor's EN translation on the English page, the original on the Chinese one.
    assert f"<title>{MUSEUM_EN['seoTitle']} · " in english and f">{MUSEUM_EN['name']}</h1>" in english
    assert "Warring States chime bell" in english and f">{CATEGORY_EN['name']}</a>" in english
    assert MUSEUM_EN["name"] not in page and f">{museum_product['name']}</h1>" in html.unescape(page)
    variant = re.findall(r'name="variant" value="([^"]+)"', page)[0]

    recorder.scene = "category"
    category_path = re.findall(r'href="(/categories/[^"]+/)"', page)[0]
    assert museum_product["name"] in html.unescape(client.get(category_path).content.decode())
    category_en = html.unescape(client.get(f"/en{category_path}").content.decode())
    assert f"<h1>{CATEGORY_EN['name']}</h1>" in category_en and MUSEUM_EN["name"] in category_en

    recorder.scene = ""
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"/en/products/{museum_product['slug']}/" in sitemap and f"/units/{museum.pk}/" in sitemap

    recorder.scene = "library"
    page = client.get(f"/products/{library_product['slug']}/").content.decode()
    assert "授权产品" not in page and "李明" in page
    english = html.unescape(client.get(f"/en/products/{library_product['slug']}/").content.decode())
    assert f">{library_product['name']}</h1>" in english  # no EN translation: the original name
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
    cart = html.unescape(client.get("/cart/").content.decode())  # names such as "Paul's" are escaped
    assert cart.index("三峡博物馆") < cart.index(museum_product["name"]) < cart.index("重庆图书馆")
    assert library_product["name"] in cart
    cart_en = html.unescape(client.get("/en/cart/").content.decode())
    assert MUSEUM_EN["name"] in cart_en and library_product["name"] in cart_en

    recorder.scene = "invalid"
    address = {**SHENZHEN_BUYER, "email": buyer_email, "phone": "123"}
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

    checkout_id = client.session[CHECKOUT_KEY]
    card_page = client.get(started["Location"])
    assert card_page.status_code == 200 and 'id="card-element"' in card_page.content.decode()
    payment_intent = card_page.context["payment_intent_id"]
    token = card_token(settings.STRIPE_API_BASE, settings.STRIPE_PUBLISHABLE_KEY)
    paid = client.post(
        "/payments/gateway/pay/card",
        {"checkout": checkout_id, "payment_intent": payment_intent, "token": token},
    )
    returned = client.get(paid["Location"])
    assert returned["Location"].startswith("/checkout/paid/?"), returned.content.decode()

    recorder.scene = ""  # the order made from this very checkout: graphql.StorefrontOrder.json
    order = client.get(returned["Location"], follow=True)
    text = order.content.decode()
    assert order.status_code == 200
    assert text.index("<h2>三峡博物馆</h2>") < text.index("<h2>重庆图书馆</h2>")
    assert text.count("待发货") == 2  # neither unit has shipped yet
    order_path = order.redirect_chain[-1][0]

    tracking = f"SF{uuid.uuid4().int % 10**12:012d}"
    museum_fulfil(
        staff,
        order_id=httpx.URL(returned["Location"]).params["order"],
        product=museum_product,
        tracking=tracking,
    )

    recorder.scene = "shipped"
    shipped = client.get(order_path).content.decode()
    museum_part, library_part = shipped.split("<h2>重庆图书馆</h2>")
    assert "已发货" in museum_part and tracking in museum_part
    assert "待发货" in library_part and tracking not in library_part
    shipped_en = html.unescape(client.get("/en" + httpx.URL(order_path).path).content.decode())
    assert MUSEUM_EN["name"] in shipped_en and library_product["name"] in shipped_en

    # The buyer opens an account with the order's e-mail; confirming it links the order (staff plays
    # the mailed confirmation link, which Saleor would send).
    recorder.scene = ""
    password = "Secret-pass-123"
    registered = client.post(
        "/account/register/", {"name": "张三", "email": buyer_email, "password": password}
    )
    assert registered.status_code == 200 and "账户已创建" in registered.content.decode()
    user = staff.gql("query($e: String!) { user(email: $e) { id } }", {"e": buyer_email})["user"]
    confirmed = staff.gql(
        "mutation($id: ID!) { customerUpdate(id: $id, input: {isConfirmed: true}) { errors { message } } }",
        {"id": user["id"]},
    )
    assert confirmed["customerUpdate"]["errors"] == []
    assert client.post("/account/login/", {"email": buyer_email, "password": password}).status_code == 302
    account = client.get("/account/").content.decode()
    number = re.search(r"订单 (\d+)", shipped).group(1)
    assert f">{number}</a>" in account and "部分已发货" in account  # the museum shipped, the library not yet


def card_token(stripe_url: str, publishable_key: str) -> str:
    """What localstripe's Stripe.js createToken(card) posts from the buyer's browser."""
    card = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}
    data = {f"card[{k}]": v for k, v in card.items()} | {"key": publishable_key}
    return httpx.post(f"{stripe_url}/v1/tokens", data=data, timeout=10).json()["id"]


def museum_fulfil(staff: StaffSession, *, order_id: str, product: dict, tracking: str) -> None:
    """The museum ships its line from the warehouse it was allocated in (as the unit portal's fulfil does)."""
    # The channel authorises at checkout; staff capture first, as Saleor fulfils only paid orders. The
    # capture reaches this app through Saleor's worker: fulfil once Saleor has recorded the charge.
    transactions = staff.gql(
        "query($id: ID!) { order(id: $id) { transactions { id authorizedAmount { amount } } } }",
        {"id": order_id},
    )["order"]["transactions"]
    for transaction in transactions:
        if transaction["authorizedAmount"]["amount"]:
            captured = staff.gql(
                "mutation($id: ID!) { transactionRequestAction(id: $id, actionType: CHARGE)"
                " { errors { message } } }",
                {"id": transaction["id"]},
            )
            assert captured["transactionRequestAction"]["errors"] == []
    staff.order_charged(order_id)
    lines = staff.gql(
        "query($id: ID!) { order(id: $id) { lines { id quantity"
        " variant { product { id } stocks { warehouse { id } } }"
        " allocations { quantity warehouse { id } } } } }",
        {"id": order_id},
    )["order"]["lines"]
    line = next(line for line in lines if line["variant"]["product"]["id"] == product["id"])
    stocks = [
        {"quantity": a["quantity"], "warehouse": a["warehouse"]["id"]} for a in line["allocations"]
    ] or [
        {"quantity": line["quantity"], "warehouse": line["variant"]["stocks"][0]["warehouse"]["id"]}
    ]  # a product that does not track inventory has no allocation: ship from its stock's warehouse
    result = staff.gql(
        "mutation($o: ID!, $i: OrderFulfillInput!) { orderFulfill(order: $o, input: $i) {"
        " errors { field code message } } }",
        {
            "o": order_id,
            "i": {
                "lines": [{"orderLineId": line["id"], "stocks": stocks}],
                "trackingNumber": tracking,
                "notifyCustomer": False,
            },
        },
    )
    assert result["orderFulfill"]["errors"] == []
