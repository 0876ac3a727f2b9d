"""The shop's product page links to the library object its product is made from (取材于馆藏): Saleor is the
recorded product page at the HTTP edge, the listing behind the slug is this service's own."""

from __future__ import annotations

import copy

import httpx
import pytest
import respx

from catalog import saleor_metadata as keys
from resources import services
from tests.conftest import RECORDED_API_URL
from tests.recording import load_exchange
from tests.resources.helpers import library_object
from tests.search.helpers import on_sale
from tests.unit_onboarding.factories import UnitFactory, operator_of
from unit_onboarding.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(settings):
    """A product of the museum on sale, made from its published mirror, as Saleor would serve its page."""
    settings.SALEOR_API_URL = RECORDED_API_URL
    exchange = load_exchange("StorefrontProduct.museum")
    product = exchange["response"]["data"]["product"]
    unit_id = int(next(m["value"] for m in product["metadata"] if m["key"] == keys.UNIT_ID))
    museum = UnitFactory(pk=unit_id, status=Unit.Status.ACTIVE, display_name="三峡博物馆")
    mirror = library_object(museum, "M-001", title_zh="四神纹铜镜", era="汉代")
    listing = on_sale(museum, name_zh="四神铜镜书签", collection_object=mirror, relation="reproduction")
    served = copy.deepcopy(exchange["response"])
    served["data"]["product"]["slug"] = listing.slug
    with respx.mock(assert_all_called=False) as mock:
        mock.post(RECORDED_API_URL).mock(return_value=httpx.Response(200, json=served))
        yield museum, mirror, listing


def test_the_product_page_links_to_the_published_object_it_is_made_from(client, shop):
    museum, mirror, listing = shop
    html = client.get(f"/products/{listing.slug}/").content.decode()
    assert f'<p class="made-from"><a href="/library/objects/{mirror.pk}/">取材于馆藏</a></p>' in html

    english = client.get(f"/en/products/{listing.slug}/").content.decode()
    assert f'<a href="/en/library/objects/{mirror.pk}/">Made from this collection object</a>' in english

    services.publication_set(obj=mirror, published=False, actor=operator_of(museum))
    html = client.get(f"/products/{listing.slug}/").content.decode()
    assert 'class="made-from"' not in html and "/library/objects/" not in html


def test_library_pages_are_public_even_to_a_member_who_has_not_set_up_a_second_factor(client, shop):
    from unit_onboarding.models import UnitMembership

    museum, mirror, _listing = shop
    client.force_login(operator_of(museum, role=UnitMembership.Role.FINANCE))
    assert client.get("/library/").status_code == 200
    assert client.get(f"/library/objects/{mirror.pk}/").status_code == 200
