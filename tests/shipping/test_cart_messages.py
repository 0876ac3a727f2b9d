"""The cart says which unit does not ship to the chosen province, and offers only the active methods."""

from __future__ import annotations

import pytest
from django.utils import translation

from storefront.parcels import unshippable_messages
from storefront.presenters import checkout_page
from tests.shipping.conftest import NOW, museum_and_library, rates

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def storefront_checkout(units, province: str, methods: list[dict] | None = None) -> dict:
    """The checkout as StorefrontCheckout reads it (only what these pages use)."""
    return {
        "id": "Q2hlY2tvdXQ6Mw==",
        "shippingAddress": {"countryArea": province, "country": {"code": "CN"}},
        "lines": [
            {
                "id": f"line-{unit.pk}",
                "quantity": 1,
                "variant": {
                    "product": {"metadata": [{"key": "wenchuang.unit_id", "value": str(unit.pk)}]},
                },
            }
            for unit in units
        ],
        "shippingMethods": methods or [],
    }


def test_a_unit_that_does_not_ship_to_the_province_is_named_with_what_the_buyer_can_do():
    museum, library = museum_and_library()
    rates(museum, default_rate=None, province_rates={"重庆市": 600}, pickup=True)
    rates(library, default_rate=None, province_rates={"重庆市": 800, "四川省": 900})
    with translation.override("zh-hans"):
        assert unshippable_messages(storefront_checkout([museum, library], "重庆市")) == []
        assert unshippable_messages(storefront_checkout([museum, library], "新疆维吾尔自治区")) == [
            "三峡博物馆不配送到新疆维吾尔自治区：可到馆自提该馆商品，或从购物车中移除，或更换收货地址。",  # noqa: RUF001
            "重庆图书馆不配送到新疆维吾尔自治区：请从购物车中移除该馆商品，或更换收货地址。",  # noqa: RUF001
        ]
        assert unshippable_messages(storefront_checkout([library], "四川省")) == []
    assert (
        unshippable_messages({**storefront_checkout([museum], "西藏自治区"), "shippingAddress": None}) == []
    )


def test_a_unit_without_rates_of_its_own_is_not_reported_unshippable():
    museum, _library = museum_and_library()
    assert unshippable_messages(storefront_checkout([museum], "新疆维吾尔自治区")) == []


def test_the_checkout_page_offers_only_the_methods_saleor_left_active():
    museum, _library = museum_and_library()
    methods = [
        {
            "id": "own",
            "name": "顺丰",
            "active": False,
            "price": {"currency": "CNY", "fractionalAmount": 1000},
        },
        {"id": "ours", "name": "三峡博物馆 ¥10.00", "active": True, "price": None},
    ]
    page = checkout_page({**storefront_checkout([museum], "重庆市", methods), "lines": []}, "zh-hans")
    assert [m["id"] for m in page["methods"]] == ["ours"]
