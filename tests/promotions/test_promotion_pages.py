"""The promotion pages: the unit's operators propose from their own listings only, its finance members
decide; every route of another unit is refused (404), times are typed and shown in Beijing
time, zh-Hans by default."""

from __future__ import annotations

import pytest
import respx
from django.urls import reverse

from promotions.models import UnitPromotion
from saleor_app.client import SaleorClient
from tests.auth import login_verified
from tests.isolation import assert_refused
from tests.promotions.shop_double import API, PROMO, FakeSaleor
from tests.unit_onboarding.factories import operator_of

from .test_unit_promotions import propose

pytestmark = pytest.mark.django_db


def form(listings, **extra) -> dict:
    return {
        "kind": "sale",
        "name": "春节特惠",
        "listings": [str(listing.pk) for listing in listings],
        "reward": "percentage",
        "value": "20",
        "budget": "100.00",
        "starts_at": "2026-11-21T10:00",  # Beijing time
        "ends_at": "2026-12-01T00:00",
        **extra,
    }


def test_an_operator_proposes_from_own_listings_in_beijing_time(client, world):
    museum, _library, people, mirror, fan = world
    client.force_login(people["operator"])
    new = reverse("promotions:promotion_new", kwargs={"uid": museum.uid})

    page = client.get(new)
    assert page.status_code == 200
    assert mirror.name_zh in page.content.decode() and f'value="{fan.pk}"' not in page.content.decode()

    response = client.post(new, form([mirror]))

    assert response.status_code == 302, response.content.decode()
    promotion = UnitPromotion.objects.get()
    assert promotion.starts_at.isoformat() == "2026-11-21T02:00:00+00:00"  # 10:00 Beijing
    assert (promotion.budget_fen, promotion.value, promotion.proposed_by) == (10_000, 20, people["operator"])
    listing_page = client.get(reverse("promotions:unit_promotions", kwargs={"uid": museum.uid}))
    text = listing_page.content.decode()
    assert "春节特惠" in text and "2026-11-21 10:00" in text and "¥0.00 / ¥100.00" in text
    assert reverse("promotions:unit_promotions", kwargs={"uid": museum.uid}) in text  # the office navigation


def test_another_units_listing_posted_is_refused_with_a_clear_message(client, world):
    museum, _library, people, _mirror, fan = world
    client.force_login(people["operator"])

    response = client.post(reverse("promotions:promotion_new", kwargs={"uid": museum.uid}), form([fan]))

    assert response.status_code == 400
    assert "只能选择本单位自己的商品" in response.content.decode()
    assert not UnitPromotion.objects.exists()


def test_the_units_finance_member_approves_on_the_page(client, world, monkeypatch):
    museum, _library, people, mirror, _fan = world
    promotion = propose(museum, people["operator"], [mirror])
    login_verified(client, people["finance"])
    monkeypatch.setattr("promotions.services.app_client", lambda: SaleorClient(API, "t"))
    page = reverse("promotions:unit_promotions", kwargs={"uid": museum.uid})
    assert 'value="approve"' in client.get(page).content.decode()

    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=FakeSaleor())
        response = client.post(
            reverse("promotions:promotion_decide", kwargs={"uid": museum.uid, "promotion": promotion.uid}),
            {"action": "approve"},
        )

    assert response.status_code == 302
    promotion.refresh_from_db()
    assert (promotion.status, promotion.funding_key) == ("created", PROMO)


@pytest.mark.parametrize("who", ["library_operator", "library_finance"])
def test_every_promotion_route_of_another_unit_is_refused(client, world, who):
    museum, library, people, mirror, _fan = world
    promotion = propose(museum, people["operator"], [mirror])
    if who == "library_finance":
        login_verified(client, people[who])
    else:
        client.force_login(people[who])
    hostile = {**form([mirror]), "action": "approve"}
    for path in (
        reverse("promotions:unit_promotions", kwargs={"uid": museum.uid}),
        reverse("promotions:promotion_new", kwargs={"uid": museum.uid}),
        reverse("promotions:promotion_decide", kwargs={"uid": museum.uid, "promotion": promotion.uid}),
        # unit B's own route naming unit A's promotion
        reverse("promotions:promotion_decide", kwargs={"uid": library.uid, "promotion": promotion.uid}),
    ):
        assert_refused(client, path, hostile)
    promotion.refresh_from_db()
    assert promotion.status == "proposed" and not UnitPromotion.objects.exclude(unit=museum).exists()


def test_a_finance_member_cannot_propose_and_a_stranger_sees_nothing(client, world):
    museum, library, people, _mirror, _fan = world
    login_verified(client, people["finance"])
    assert client.get(reverse("promotions:promotion_new", kwargs={"uid": museum.uid})).status_code == 404
    client.force_login(operator_of(library))
    assert client.get(reverse("promotions:unit_promotions", kwargs={"uid": museum.uid})).status_code == 404
