"""Isolation: an operator of unit A gets 403/404 on every catalog route that names unit B's objects.

Routes are read from the URL resolver, so a new route is swept without editing this test; a route without
object arguments must be listed in OWN_SCOPE (after checking it shows only the user's own data).
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse

from catalog import listings
from catalog import urls as catalog_urls
from catalog.models import CollectionObject, IpLicence, Listing, ListingImport
from catalog.provenance import collection_object_save
from tests.auth import login_verified
from tests.catalog.factories import active_unit, curator, make_listing
from tests.isolation import assert_refused
from tests.unit_onboarding.factories import operator_of

pytestmark = pytest.mark.django_db

OWN_SCOPE = {"home", "review_queue"}
CURATOR_ONLY = {"review_queue", "review"}
HOSTILE_POST = {
    "name_zh": "hijacked",
    "category": "wenchuang-stationery",
    "product_type": "wenchuang-goods",
    "variants-TOTAL_FORMS": "1",
    "variants-INITIAL_FORMS": "0",
    "variants-MIN_NUM_FORMS": "0",
    "variants-MAX_NUM_FORMS": "50",
    "variants-0-sku": "HIJACK-1",
    "variants-0-price": "1.00",
    "variants-0-stock": "1",
    "variants-0-weight_g": "1",
    "on_sale": "1",
    "adopt": "saleor",
    "decision": "approve",
    "accession_number": "HIJACK",
    "title_zh": "hijacked",
    "licensee_name": "evil",
    "scope": "all",
    "valid_from": "2026-01-01",
    "valid_until": "2030-01-01",
    "royalty_bps": "1",
}


def patterns() -> list[URLPattern]:
    return [p for p in catalog_urls.urlpatterns if isinstance(p, URLPattern)]


def make_world(name: str) -> dict:
    unit = active_unit(name)
    operator = operator_of(unit)
    listing = make_listing(unit, operator, images=1)
    listings.listing_submit(listing=listing, actor=operator)
    obj = collection_object_save(
        unit=unit, data={"title_zh": f"{name} 藏品", "accession_number": f"{name}-001"}
    )
    job = ListingImport.objects.create(unit=unit, created_by=operator, data=b"handle\n")
    return {"unit": unit, "operator": operator, "listing": listing, "object": obj, "import": job}


def route_kwargs(pattern: URLPattern, world: dict) -> dict:
    route = str(pattern.pattern)
    names = set(pattern.pattern.converters)
    kwargs = {}
    if "uid" in names:
        kwargs["uid"] = (
            world["listing"].uid if route.startswith(("listings/", "review/")) else world["unit"].uid
        )
    if "job" in names:
        kwargs["job"] = world["import"].uid
    if "pk" in names:
        kwargs["pk"] = world["object"].pk if "/objects/" in route else world["listing"].images.get().pk
    assert set(kwargs) == names, f"no object for {route}: extend route_kwargs"
    return kwargs


def snapshot(world: dict) -> tuple:
    listing = Listing.objects.get(pk=world["listing"].pk)
    return (
        listing.state,
        listing.on_sale,
        listing.name_zh,
        listing.images.count(),
        sorted(listing.variants.values_list("sku", "price_fen")),
        listing.revisions.count(),
        CollectionObject.objects.filter(unit=world["unit"]).count(),
        IpLicence.objects.filter(licensor=world["unit"]).count(),
        Listing.objects.filter(unit=world["unit"]).count(),
    )


@pytest.fixture
def worlds():
    return make_world("unit-a"), make_world("unit-b")


def test_every_route_is_either_own_scope_or_object_scoped():
    without_args = {p.name for p in patterns() if not p.pattern.converters}

    assert without_args == OWN_SCOPE


def test_an_operator_of_unit_a_gets_403_or_404_on_every_route_of_unit_b(client, worlds):
    world_a, world_b = worlds
    client.force_login(world_a["operator"])
    before = snapshot(world_b)
    swept = []

    for pattern in patterns():
        if pattern.name in OWN_SCOPE:
            continue
        path = reverse(f"catalog:{pattern.name}", kwargs=route_kwargs(pattern, world_b))
        assert_refused(client, path, HOSTILE_POST)
        swept.append(pattern.name)

    assert snapshot(world_b) == before
    assert len(swept) == len(patterns()) - len(OWN_SCOPE)


def test_the_same_routes_answer_for_unit_a_itself(client, worlds):
    """The sweep's control: with its own objects, every GET route answers (so 404s above are isolation)."""
    world_a, _ = worlds
    client.force_login(world_a["operator"])

    for pattern in patterns():
        if pattern.name in OWN_SCOPE | CURATOR_ONLY:
            continue
        path = reverse(f"catalog:{pattern.name}", kwargs=route_kwargs(pattern, world_a))
        assert client.get(path).status_code in {200, 405}, path


def test_curator_pages_are_refused_to_operators_and_open_to_curators(client, worlds):
    world_a, world_b = worlds
    client.force_login(world_a["operator"])
    assert client.get(reverse("catalog:review_queue")).status_code == 403

    login_verified(client, curator())
    queue = client.get(reverse("catalog:review_queue")).content.decode()
    assert str(world_a["listing"].uid) in queue and str(world_b["listing"].uid) in queue
    assert client.get(reverse("catalog:review", args=[world_b["listing"].uid])).status_code == 200
    # a curator reviews but does not operate a unit's shop
    assert client.get(reverse("catalog:listing", args=[world_b["listing"].uid])).status_code == 404


def test_the_home_page_shows_only_the_users_units(client, worlds):
    world_a, _ = worlds
    client.force_login(world_a["operator"])

    page = client.get(reverse("catalog:home")).content.decode()

    assert "unit-a" in page and "unit-b" not in page


def test_a_finance_member_cannot_manage_listings(client, worlds):
    _, world_b = worlds
    login_verified(client, operator_of(world_b["unit"], role="finance"))

    assert client.get(reverse("catalog:listings", args=[world_b["unit"].uid])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, worlds):
    _, world_b = worlds

    response = client.get(reverse("catalog:listing", args=[world_b["listing"].uid]))

    assert response.status_code == 302
    assert "/login/" in response["Location"]
