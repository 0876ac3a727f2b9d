"""Live Saleor: a two-unit checkout is offered one method whose price is the sum of each unit's parcel,
named per unit, and Saleor's one-price method is hidden; a province one unit does not serve gets none."""

from __future__ import annotations

import time

import pytest

from core import clock
from shipping.models import ShippingQuote
from tests.live_saleor import StaffSession
from tests.live_shop import ProductSpec, own_shop
from tests.orders.conftest import unit_with_agreement
from tests.saleor_app.test_live_saleor import installed_app  # noqa: F401 (a fixture)
from tests.shipping.conftest import rates

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db(transaction=True)]

CHECKOUT = """
mutation($i: CheckoutCreateInput!) { checkoutCreate(input: $i) {
  checkout { id shippingMethods { id name active message price { amount currency } } }
  errors { field code message } } }
"""
ADDRESS = """
mutation($id: ID!, $a: AddressInput!) { checkoutShippingAddressUpdate(id: $id, shippingAddress: $a) {
  checkout { id shippingMethods { id name active message price { amount currency } } }
  errors { field code message } } }
"""
CHOOSE = """
mutation($id: ID!, $m: ID!) { checkoutDeliveryMethodUpdate(id: $id, deliveryMethodId: $m) {
  checkout { shippingPrice { gross { amount currency } } totalPrice { gross { amount } }
             subtotalPrice { gross { amount } } }
  errors { field code message } } }
"""


def address(province: str, city: str, district: str) -> dict:
    return {
        "firstName": "小明",
        "lastName": "王",
        "streetAddress1": "解放碑步行街1号",
        "city": city,
        "cityArea": district,
        "countryArea": province,
        "postalCode": "400010" if province == "重庆市" else "830000",
        "country": "CN",
        "phone": "+8613800000000",
    }


def checkout_created(staff, shop, lines: list[tuple], to: dict, **more) -> dict:
    """A buyer's checkout in the shop's channel of (product, quantity) `lines`, shipping `to` (and `more` of
    Saleor's input)."""
    created = staff.gql(
        CHECKOUT,
        {
            "i": {
                "channel": shop.channel_slug,
                "email": "buyer@example.cn",
                "lines": [{"variantId": product.variant_id, "quantity": n} for product, n in lines],
                "shippingAddress": to,
                **more,
            }
        },
    )["checkoutCreate"]
    assert not created["errors"], created["errors"]
    return created["checkout"]


@pytest.fixture
def staff(saleor_api_url):
    return StaffSession(saleor_api_url)


def test_a_two_unit_checkout_pays_the_sum_of_its_parcels(staff, installed_app):  # noqa: F811
    museum, library = unit_with_agreement(81), unit_with_agreement(82)
    now = clock.now()  # live: the real time (Saleor's checkout is priced now)
    rates(museum, effective_from=now, default_rate=1000, per_item=200)  # 2 items: 12.00
    rates(library, effective_from=now, default_rate=None, province_rates={"重庆市": 800})  # Chongqing only
    products = [
        ProductSpec("实况运费书签", "12.50", warehouse=0, metadata=(("wenchuang.unit_id", str(museum.pk)),)),
        ProductSpec(
            "实况运费笔记本", "35.00", warehouse=1, metadata=(("wenchuang.unit_id", str(library.pk)),)
        ),
    ]
    with own_shop(staff, products, warehouses=2) as shop:
        bookmark, notebook = shop.products
        to = address("重庆市", "渝中区", "")
        checkout = checkout_created(staff, shop, [(bookmark, 2), (notebook, 1)], to)
        started = time.monotonic()
        expected = f"{museum} ¥12.00 + {library} ¥8.00"
        # Saleor's own one-price method (10.00) stays listed but inactive: every unit of the cart has rates
        active = [m for m in checkout["shippingMethods"] if m["active"]]
        assert [(m["name"], m["price"]["amount"], m["price"]["currency"]) for m in active] == [
            (expected, 20.0, "CNY")
        ], checkout["shippingMethods"]
        [own] = [m for m in checkout["shippingMethods"] if not m["active"]]
        assert own["price"]["amount"] == 10.0 and own["message"] == "每个馆按自己的运费单独发货"
        refused = staff.gql(CHOOSE, {"id": checkout["id"], "m": own["id"]})["checkoutDeliveryMethodUpdate"]
        assert refused["errors"], "an inactive method cannot be chosen"
        chosen = staff.gql(CHOOSE, {"id": checkout["id"], "m": active[0]["id"]})[
            "checkoutDeliveryMethodUpdate"
        ]
        assert not chosen["errors"], chosen["errors"]
        priced = chosen["checkout"]
        assert priced["shippingPrice"]["gross"] == {"amount": 20.0, "currency": "CNY"}
        assert priced["totalPrice"]["gross"]["amount"] == priced["subtotalPrice"]["gross"]["amount"] + 20.0
        quote = ShippingQuote.objects.get(checkout_id=checkout["id"], name=expected)
        assert [(p["party"], p["amount"]) for p in quote.parcels] == [
            (museum.party_key, 1200),
            (library.party_key, 800),
        ]

        # to Xinjiang the library does not ship: no method at all (not Saleor's one price either)
        moved = staff.gql(
            ADDRESS, {"id": checkout["id"], "a": address("新疆维吾尔自治区", "乌鲁木齐市", "天山区")}
        )["checkoutShippingAddressUpdate"]
        assert not moved["errors"], moved["errors"]
        assert [m for m in moved["checkout"]["shippingMethods"] if m["active"]] == []
        print(f"live checkout priced in {time.monotonic() - started:.2f}s")
