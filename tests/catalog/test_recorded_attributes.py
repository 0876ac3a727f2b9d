"""A push's attribute lookups on Saleor's recorded answers (test_sync_live.py --record-saleor): attributes
that exist with all their values, named and translated as the taxonomy says and assigned to the type
need no mutation."""

from __future__ import annotations

import respx

from catalog import taxonomy
from catalog.saleor_sync.taxonomy_push import ensure_attributes, ensure_product_type
from saleor_app.client import SaleorClient
from tests.conftest import RECORDED_API_URL
from tests.recording import load_exchange, replay_scenes

RECORDINGS = ("CatalogProductTypeFind.attributes", "CatalogAttributesFind.attributes")


def test_recorded_lookups_give_every_attribute_id_and_ask_for_nothing_more():
    recorded = load_exchange("CatalogAttributesFind.attributes")["response"]["data"]["attributes"]["edges"]
    with respx.mock(assert_all_called=False) as mock:
        route = replay_scenes(mock, RECORDED_API_URL, *RECORDINGS)
        client = SaleorClient(RECORDED_API_URL, "recorded")
        product_type = ensure_product_type(client, "wenchuang-goods")
        ids = ensure_attributes(client, product_type, "wenchuang-goods")

    # an unrecorded operation (a create, an assignment, a value added, a rename, a translation) would fail
    assert route.call_count == 2
    assert ids == {e["node"]["slug"]: e["node"]["id"] for e in recorded}
    assert list(ids) == list(taxonomy.PRODUCT_TYPE_ATTRIBUTES["wenchuang-goods"])
