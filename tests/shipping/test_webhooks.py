"""Saleor asks for a checkout's shipping methods: one parcel per unit, priced by its rates, summed, signed.

Every answer is checked against Saleor's own response schema; a delivery that is not Saleor's (bad signature,
another app's, stale) is refused, and what cannot be priced exactly gets no method rather than a wrong one.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from shipping.models import ShippingQuote
from tests.payments.gateway.conftest import schema_validator
from tests.saleor_signing import tamper
from tests.shipping.conftest import NOW, cart_line, checkout_payload, museum_and_library, rates, signed_post

pytestmark = [pytest.mark.django_db, pytest.mark.saleor_schema]
LIST = "shipping-list-methods-for-checkout"
FILTER = "checkout-filter-shipping-methods"


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW + timedelta(seconds=5), tick=False)


def methods(client, signer, payload) -> list[dict]:
    response = signed_post(client, signer, LIST, payload)
    assert response.status_code == 200, response.content
    answer = response.json()
    schema_validator("ShippingListMethodsForCheckout").validate(answer)
    return answer


@pytest.fixture
def units():
    museum, library = museum_and_library()
    rates(museum, default_rate=1000, province_rates={"新疆维吾尔自治区": 2500}, per_item=200, pickup=True)
    rates(library, default_rate=None, province_rates={"重庆市": 800, "四川省": 900}, free_over=10000)
    return museum, library


def test_the_checkout_pays_the_sum_of_each_units_parcel_named_per_unit(client, signer, saleor_keys, units):
    museum, library = units
    payload = checkout_payload(
        [
            cart_line(museum, goods=6000, quantity=2, n=1),
            cart_line(library, goods=4000, n=2),
            cart_line(library, goods=6000, quantity=3, n=3),  # 100.00 of the library's goods: free
        ]
    )
    shipped, pickup = methods(client, signer, payload)

    assert shipped["name"] == "三峡博物馆 ¥12.00 + 重庆图书馆 包邮"
    assert (shipped["amount"], shipped["currency"]) == ("12.00", "CNY")
    assert pickup["name"] == "三峡博物馆 到馆自提 + 重庆图书馆 包邮"
    assert pickup["amount"] == "0.00"
    quote = ShippingQuote.objects.get(checkout_id=payload["checkout"]["id"], method_id=shipped["id"])
    assert quote.total == 1200 and quote.name == shipped["name"]
    assert [(p["party"], p["amount"], p["free"]) for p in quote.parcels] == [
        (museum.party_key, 1200, False),
        (library.party_key, 0, True),
    ]
    assert json.loads(shipped["metadata"]["wenchuang.parcels"]) == quote.parcels
    # the same cart asked again: the same methods, recorded once
    assert methods(client, signer, payload) == [shipped, pickup]
    assert ShippingQuote.objects.count() == 2


def test_a_province_one_unit_does_not_serve_leaves_only_pickup_or_nothing(client, signer, saleor_keys, units):
    museum, library = units
    to_xinjiang = checkout_payload(
        [cart_line(museum, goods=6000, n=1), cart_line(library, goods=500, n=2)], province="新疆维吾尔自治区"
    )
    assert methods(client, signer, to_xinjiang) == []  # the library neither ships there nor offers pickup
    only_museum = checkout_payload([cart_line(museum, goods=6000, n=1)], province="新疆维吾尔自治区")
    (shipped, pickup) = methods(client, signer, only_museum)
    assert (shipped["amount"], pickup["amount"]) == ("25.00", "0.00")
    # an address abroad or without a province: only the museum's pickup
    nowhere = checkout_payload([cart_line(museum, goods=6000, n=1)], province="")
    assert [m["name"] for m in methods(client, signer, nowhere)] == ["三峡博物馆 到馆自提"]


def test_a_change_of_rates_applies_to_carts_priced_after_it(client, signer, saleor_keys, units, time_machine):
    museum, _library = units
    current = museum.shipping_rates.get()
    rates(museum, based_on=current, effective_from=NOW + timedelta(hours=1), default_rate=1500)
    payload = checkout_payload([cart_line(museum, goods=100, n=1)])
    assert methods(client, signer, payload)[0]["amount"] == "10.00"
    time_machine.move_to(NOW + timedelta(hours=1, seconds=5), tick=False)
    later = checkout_payload([cart_line(museum, goods=100, n=1)], issued_at=NOW + timedelta(hours=1))
    assert methods(client, signer, later)[0]["amount"] == "15.00"


def test_what_cannot_be_priced_exactly_gets_no_method(client, signer, saleor_keys, units):
    museum, library = units
    library.shipping_rates.all()  # the library has rates; a third unit has none
    from tests.orders.conftest import unit_with_agreement

    unrated = unit_with_agreement(3)
    assert methods(client, signer, checkout_payload([cart_line(unrated, goods=100)])) == []
    assert (
        methods(client, signer, checkout_payload([cart_line(museum, goods=1), cart_line(unrated, goods=1)]))
        == []
    )
    no_unit = cart_line(museum, goods=100)
    no_unit["variant"]["product"]["unitId"] = None
    assert methods(client, signer, checkout_payload([no_unit])) == []
    usd = checkout_payload([cart_line(museum, goods=100, currency="USD")], currency="USD")
    assert methods(client, signer, usd) == []
    assert methods(client, signer, {**checkout_payload([]), "checkout": None}) == []
    assert not ShippingQuote.objects.exists()


def test_saleors_own_methods_are_hidden_once_every_unit_has_rates(client, signer, saleor_keys, units):
    museum, _library = units
    own = base64.b64encode(b"ShippingMethod:4").decode()
    ours = base64.b64encode(b"app:wenchuang:parcels-abc").decode()
    listed = [{"id": own, "name": "顺丰 ¥10"}, {"id": ours, "name": "三峡博物馆 ¥10.00"}]
    payload = checkout_payload([cart_line(museum, goods=100)], methods=listed)
    response = signed_post(client, signer, FILTER, payload)
    assert response.status_code == 200
    schema_validator("CheckoutFilterShippingMethods").validate(response.json())
    assert [m["id"] for m in response.json()["excluded_methods"]] == [own]

    from tests.orders.conftest import unit_with_agreement

    unrated = unit_with_agreement(3)  # a unit without rates: Saleor's methods stay (as before this feature)
    payload = checkout_payload([cart_line(museum, goods=1), cart_line(unrated, goods=1)], methods=listed)
    assert signed_post(client, signer, FILTER, payload).json() == {"excluded_methods": []}


def test_deliveries_not_from_saleor_for_this_app_are_refused(client, signer, saleor_keys, units):
    museum, _library = units
    payload = checkout_payload([cart_line(museum, goods=100)])
    body = json.dumps(payload).encode()
    forged = signed_post(client, signer, LIST, payload, body=body)
    assert forged.status_code == 200  # the genuine one
    tampered = client.post(
        f"/shipping/saleor/{LIST}",
        data=tamper(body),
        content_type="application/json",
        headers={
            "Saleor-Event": "shipping_list_methods_for_checkout",
            "Saleor-Api-Url": "http://127.0.0.1:8000/graphql/",
            "Saleor-Signature": signer.sign(body),
        },
    )
    assert tampered.status_code == 401
    other_app = {**payload, "recipient": {"id": "QXBwOjk5"}}
    assert signed_post(client, signer, LIST, other_app).status_code == 403
    stale = checkout_payload([cart_line(museum, goods=100)], issued_at=NOW - timedelta(hours=2))
    assert signed_post(client, signer, LIST, stale).status_code == 401
    assert (
        signed_post(client, signer, LIST, payload, event="checkout_filter_shipping_methods").status_code
        == 400
    )
    assert signed_post(client, signer, "transaction-refund-requested", payload).status_code == 404


def test_the_manifest_asks_saleor_for_both_shipping_webhooks_here(settings):
    from saleor_app.manifest import build_manifest

    settings.APP_PUBLIC_URL = "http://127.0.0.1:8092"
    hooks = {w["name"]: w for w in build_manifest()["webhooks"] if "/shipping/" in w["targetUrl"]}
    assert {n: (w["syncEvents"], w["targetUrl"]) for n, w in hooks.items()} == {
        LIST: (["SHIPPING_LIST_METHODS_FOR_CHECKOUT"], f"http://127.0.0.1:8092/shipping/saleor/{LIST}"),
        FILTER: (["CHECKOUT_FILTER_SHIPPING_METHODS"], f"http://127.0.0.1:8092/shipping/saleor/{FILTER}"),
    }
    assert all("recipient" in w["query"] and "issuedAt" in w["query"] for w in hooks.values())
