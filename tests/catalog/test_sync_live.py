"""Against the live Saleor: an operator's product with two variants and three images arrives after
approval (product, variants, stock in the unit's warehouse, media, metadata, attributes), and a price or
attribute edit goes back to review while the old values stay live. `--record-saleor` keeps the attribute
lookups for tests/catalog/test_recorded_attributes.py.

The app token is SALEOR_APP_TOKEN when given (the app installed with `saleor_install`), else a staff
token. Prices are in fen of CNY, so the test sells in a CNY channel of its own.
"""

from __future__ import annotations

import json
import os
import uuid

import pytest
from django.conf import settings as django_settings

from catalog import listings, taxonomy
from catalog import saleor_metadata as meta
from catalog.models import Listing
from catalog.saleor_changes import listing_divergence_resolve, product_changed
from catalog.saleor_sync import listing_sync
from catalog.saleor_sync.taxonomy_push import ensure_attribute, find_attributes
from saleor_app import secrets_at_rest
from saleor_app.client import SaleorClient
from saleor_app.models import SaleorInstallation
from saleor_app.operations import subscription
from tests.catalog.factories import curator, make_listing, variant
from tests.live_saleor import gql
from tests.recording import GraphQLRecorder, listening
from tests.unit_onboarding.factories import operator_of, provisioned_unit

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db]


@pytest.fixture
def live_installation(saleor_api_url, staff_token, settings):
    settings.SALEOR_API_URL = saleor_api_url
    token = os.environ.get("SALEOR_APP_TOKEN") or staff_token
    return SaleorInstallation.objects.create(
        api_url=saleor_api_url, token_encrypted=secrets_at_rest.encrypt(token)
    )


@pytest.fixture
def unit(saleor_api_url, staff_token, live_installation, own_channel):
    unit = provisioned_unit(display_name="实况测试博物馆")
    yield unit
    product = gql(saleor_api_url, staff_token, PRODUCT_ID, ref=f"wenchuang-listing-{_listing_uid(unit)}")
    if product["product"]:
        gql(
            saleor_api_url,
            staff_token,
            "mutation($id: ID!) { productDelete(id: $id) { errors { message } } }",
            id=product["product"]["id"],
        )
    gql(
        saleor_api_url,
        staff_token,
        "mutation($id: ID!) { deleteWarehouse(id: $id) { errors { message } } }",
        id=unit.saleor_warehouse_id,
    )


def _listing_uid(unit):
    listing = Listing.objects.filter(unit=unit).first()
    return listing.uid if listing else "none"


PRODUCT_ID = "query($ref: String!) { product(externalReference: $ref) { id } }"
# Without a channel: stocks are then listed for every warehouse, not only the channel's shipping zones.
PRODUCT = """query($ref: String!) {
  product(externalReference: $ref) {
    id name slug
    category { slug translation(languageCode: EN) { name } }
    translation(languageCode: EN) { name }
    metadata { key value }
    media { id url }
    channelListings { channel { slug } isPublished }
    variants {
      sku
      translation(languageCode: EN) { name }
      channelListings { channel { slug } price { fractionalAmount currency } }
      stocks { warehouse { id } quantity }
    }
  }
}"""


def saleor_product(api_url, token, listing):
    return gql(api_url, token, PRODUCT, ref=listing.external_reference)["product"]


def prices(product) -> dict[str, int]:
    return {
        v["sku"]: next(
            c["price"]["fractionalAmount"]
            for c in v["channelListings"]
            if c["channel"]["slug"] == django_settings.SALEOR_CHANNEL_SLUG
        )
        for v in product["variants"]
    }


def pushed_on_approval(listing, operator, capture_on_commit) -> None:
    """Submitted, then approved by a curator: the sync task runs after the commit and pushes it live."""
    with capture_on_commit(execute=True):
        listings.listing_submit(listing=listing, actor=operator)
    with capture_on_commit(execute=True):
        listings.listing_review(listing=listing, approve=True, reviewer=curator())
    listing.refresh_from_db()
    assert listing.sync_status == Listing.Sync.DONE, listing.sync_error


def test_live_product_arrives_after_approval_and_a_price_edit_waits_for_review(
    saleor_api_url, staff_token, unit, django_capture_on_commit_callbacks
):
    operator = operator_of(unit)
    tag = unit.uid.hex[:6].upper()
    skus = (f"LIVE-{tag}-S", f"LIVE-{tag}-L")
    listing = make_listing(unit, operator, skus=skus, images=3)

    # submitted: nothing in Saleor before a curator approves
    with django_capture_on_commit_callbacks(execute=True):
        listings.listing_submit(listing=listing, actor=operator)
    assert saleor_product(saleor_api_url, staff_token, listing) is None

    # approved and put on sale: the Celery task runs after commit and pushes everything
    with django_capture_on_commit_callbacks(execute=True):
        listings.listing_review(listing=listing, approve=True, reviewer=curator())
    with django_capture_on_commit_callbacks(execute=True):
        listings.listing_publish(listing=listing, on_sale=True)
    listing.refresh_from_db()
    assert listing.sync_status == Listing.Sync.DONE, listing.sync_error

    product = saleor_product(saleor_api_url, staff_token, listing)
    assert product["name"] == "青铜镜书签"
    assert product["translation"]["name"] == "Bronze mirror bookmark"
    assert product["category"]["slug"] == "wenchuang-stationery"
    assert product["category"]["translation"]["name"] == "Stationery"  # the taxonomy's English name
    assert prices(product) == {skus[0]: 12800, skus[1]: 12800}
    assert {
        v["sku"]: [(s["warehouse"]["id"], s["quantity"]) for s in v["stocks"]] for v in product["variants"]
    } == {sku: [(unit.saleor_warehouse_id, 10)] for sku in skus}
    assert len(product["media"]) == 3
    metadata = {m["key"]: m["value"] for m in product["metadata"]}
    assert metadata[meta.UNIT_ID] == str(unit.pk)
    assert metadata[meta.LISTING_ID] == str(listing.pk)
    assert metadata[meta.UNIT_NAME_ZH] == "实况测试博物馆"
    assert meta.AGREEMENT_VERSION in metadata
    assert [
        c["isPublished"]
        for c in product["channelListings"]
        if c["channel"]["slug"] == django_settings.SALEOR_CHANNEL_SLUG
    ] == [True]

    # a price edit goes back to review; the stock change is pushed, the old price stays live
    with django_capture_on_commit_callbacks(execute=True):
        listings.listing_update(
            listing=listing,
            data={},
            variants=[variant(skus[0], price_fen=15800, stock=7), variant(skus[1])],
            actor=operator,
        )
    listing.refresh_from_db()
    assert listing.state == Listing.State.PENDING_REVIEW
    product = saleor_product(saleor_api_url, staff_token, listing)
    assert prices(product) == {skus[0]: 12800, skus[1]: 12800}
    assert {v["translation"]["name"] for v in product["variants"]} == {f"Style {sku}" for sku in skus}
    assert {v["sku"]: v["stocks"][0]["quantity"] for v in product["variants"]}[skus[0]] == 7

    # approved: the new price is live; pushing again changes nothing more
    with django_capture_on_commit_callbacks(execute=True):
        listings.listing_review(listing=listing, approve=True, reviewer=curator())
    product = saleor_product(saleor_api_url, staff_token, listing)
    assert prices(product) == {skus[0]: 15800, skus[1]: 12800}
    assert len(product["media"]) == 3


ATTRIBUTES = """query($ref: String!) {
  product(externalReference: $ref) {
    productType { slug productAttributes { slug } }
    attributes { attribute { slug } values { name } }
  }
}"""
SHOP_ATTRIBUTES = """query($slugs: [String!]!) {
  attributes(first: 50, where: { slug: { oneOf: $slugs } }) {
    edges { node { slug unit choices(first: 100) { totalCount } } }
  }
}"""
MATERIAL, ERA, LENGTH = "wenchuang-material", "wenchuang-era", "wenchuang-length-cm"
# What a replay checks against (tests/catalog/test_recorded_attributes.py): the lookups of a push whose
# attributes already exist and are assigned.
RECORDED = ("CatalogProductTypeFind", "CatalogAttributesFind")


@pytest.fixture
def recorder(record_saleor):
    recorder = GraphQLRecorder()
    recorder.scene = "attributes"
    with listening(recorder):
        yield recorder
    if record_saleor:
        recorder.exchanges = {k: v for k, v in recorder.exchanges.items() if k.split(".")[0] in RECORDED}
        recorder.save()


def product_attributes(api_url, token, listing) -> dict[str, list[str]]:
    product = gql(api_url, token, ATTRIBUTES, ref=listing.external_reference)["product"]
    return {
        a["attribute"]["slug"]: [v["name"] for v in a["values"]] for a in product["attributes"] if a["values"]
    }


def shop_attributes(api_url, token) -> dict[str, tuple]:
    edges = gql(api_url, token, SHOP_ATTRIBUTES, slugs=[MATERIAL, ERA, LENGTH])["attributes"]["edges"]
    assert len(edges) == 3, edges  # one attribute per slug
    return {e["node"]["slug"]: (e["node"]["unit"], e["node"]["choices"]["totalCount"]) for e in edges}


NAMES = """query($slugs: [String!]!) {
  attributes(first: 50, where: { slug: { oneOf: $slugs } }) {
    edges { node { slug name translation(languageCode: EN) { name } choices(first: 100) {
      edges { node { name externalReference translation(languageCode: EN) { name } } } } } }
  }
}"""


def english_names(api_url, token, slugs) -> dict[str, tuple]:
    """{slug: (name, English name, {value reference: (name, English name)})} as Saleor reads them back."""
    edges = gql(api_url, token, NAMES, slugs=slugs)["attributes"]["edges"]
    return {
        e["node"]["slug"]: (
            e["node"]["name"],
            (e["node"]["translation"] or {}).get("name"),
            {
                c["node"]["externalReference"]: (
                    c["node"]["name"],
                    (c["node"]["translation"] or {}).get("name"),
                )
                for c in e["node"]["choices"]["edges"]
            },
        )
        for e in edges
    }


def taxonomy_names(slug, attribute=None) -> tuple:
    attribute = attribute or taxonomy.ATTRIBUTES[slug]
    values = {attribute.choice_reference(value): (zh, en) for value, zh, en in attribute.choices}
    return attribute.name_zh, attribute.name_en, values


def test_live_attributes_arrive_after_approval_and_an_edit_waits_for_review(
    saleor_api_url, staff_token, unit, recorder, django_capture_on_commit_callbacks
):
    operator = operator_of(unit)
    tag = unit.uid.hex[:6].upper()
    listing = make_listing(
        unit, operator, skus=(f"ATTR-{tag}",), attributes={MATERIAL: "bronze", ERA: "qin-han", LENGTH: "12.5"}
    )
    pushed_on_approval(listing, operator, django_capture_on_commit_callbacks)

    assert product_attributes(saleor_api_url, staff_token, listing) == {
        MATERIAL: ["铜"],
        ERA: ["秦汉"],
        LENGTH: ["12.5"],
    }
    shop = shop_attributes(saleor_api_url, staff_token)
    assert shop[LENGTH][0] == "CM"
    assert english_names(saleor_api_url, staff_token, [MATERIAL, ERA, LENGTH]) == {
        slug: taxonomy_names(slug) for slug in (MATERIAL, ERA, LENGTH)
    }
    assert shop[MATERIAL][1] == len(taxonomy.ATTRIBUTES[MATERIAL].choices)

    # an attribute edit goes back to review; Saleor keeps the approved values meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        listings.listing_update(
            listing=listing, data={"attributes": {MATERIAL: "jade", ERA: "qin-han"}}, actor=operator
        )
    listing.refresh_from_db()
    assert listing.state == Listing.State.PENDING_REVIEW
    assert product_attributes(saleor_api_url, staff_token, listing)[MATERIAL] == ["铜"]

    # approved: the new value is set and the emptied size cleared; pushing again duplicates nothing
    with django_capture_on_commit_callbacks(execute=True):
        listings.listing_review(listing=listing, approve=True, reviewer=curator())
    assert listing_sync(listing_id=listing.pk) == Listing.Sync.DONE
    assert product_attributes(saleor_api_url, staff_token, listing) == {MATERIAL: ["玉石"], ERA: ["秦汉"]}
    assert shop_attributes(saleor_api_url, staff_token) == shop
    product = gql(saleor_api_url, staff_token, ATTRIBUTES, ref=listing.external_reference)["product"]
    assigned = [a["slug"] for a in product["productType"]["productAttributes"]]
    assert sorted(assigned) == sorted(taxonomy.PRODUCT_TYPE_ATTRIBUTES["wenchuang-goods"])


def test_live_a_book_carries_author_publisher_and_isbn(
    saleor_api_url, staff_token, unit, django_capture_on_commit_callbacks
):
    operator = operator_of(unit)
    listing = make_listing(
        unit,
        operator,
        skus=(f"BOOK-{unit.uid.hex[:6].upper()}",),
        category="wenchuang-books-prints",
        product_type="wenchuang-book",
        attributes={"wenchuang-author": "常璩", "wenchuang-isbn": "9787229000011", "wenchuang-era": "ming"},
    )
    pushed_on_approval(listing, operator, django_capture_on_commit_callbacks)

    assert product_attributes(saleor_api_url, staff_token, listing) == {
        "wenchuang-author": ["常璩"],
        "wenchuang-isbn": ["9787229000011"],
        "wenchuang-era": ["明"],
    }


DASHBOARD_EDIT = """mutation($id: ID!, $attributes: [AttributeValueInput!]) {
  productUpdate(id: $id, input: { attributes: $attributes }) { errors { field message } }
}"""
# Saleor serializes a product with our webhook's subscription, as it would for the delivery.
DRY_RUN = """mutation($id: ID!, $subscription: String!) {
  webhookDryRun(objectId: $id, query: $subscription) { payload errors { field message } }
}"""


def test_live_an_attribute_changed_in_the_dashboard_is_flagged_and_restored_only_on_request(
    saleor_api_url, staff_token, unit, django_capture_on_commit_callbacks
):
    operator = operator_of(unit)
    listing = make_listing(
        unit,
        operator,
        skus=(f"DASH-{unit.uid.hex[:6].upper()}",),
        attributes={MATERIAL: "bronze", LENGTH: "12.5"},
    )
    pushed_on_approval(listing, operator, django_capture_on_commit_callbacks)
    ids = {
        e["node"]["slug"]: e["node"]["id"]
        for e in gql(
            saleor_api_url,
            staff_token,
            SHOP_ATTRIBUTES.replace("slug unit", "id slug unit"),
            slugs=[MATERIAL, LENGTH],
        )["attributes"]["edges"]
    }

    def delivered() -> dict:
        data = gql(
            saleor_api_url,
            staff_token,
            DRY_RUN,
            id=listing.saleor_product_id,
            subscription=subscription("product_changes"),
        )
        assert not data["webhookDryRun"]["errors"]
        return json.loads(data["webhookDryRun"]["payload"])

    # what our own push left is no change
    product_changed(event_type="product_updated", payload=delivered(), installation=None)
    listing.refresh_from_db()
    assert listing.sync_status == Listing.Sync.DONE

    # what the Dashboard sends when a person picks another material and types the size anew
    edit = gql(
        saleor_api_url,
        staff_token,
        DASHBOARD_EDIT,
        id=listing.saleor_product_id,
        attributes=[
            {"id": ids[MATERIAL], "dropdown": {"externalReference": f"{MATERIAL}-jade"}},
            {"id": ids[LENGTH], "numeric": "12.50"},
        ],
    )
    assert edit["productUpdate"]["errors"] == []
    product_changed(event_type="product_updated", payload=delivered(), installation=None)

    listing.refresh_from_db()
    assert listing.sync_status == Listing.Sync.DIVERGED
    assert listing.saleor_divergence == {f"attribute:{MATERIAL}": {"ours": "bronze", "saleor": "jade"}}
    assert listing_sync(listing_id=listing.pk) == Listing.Sync.DIVERGED
    assert product_attributes(saleor_api_url, staff_token, listing)[MATERIAL] == ["玉石"]  # not overwritten

    # the operator restores the approved listing: only then does the push put bronze back
    with django_capture_on_commit_callbacks(execute=True):
        listing_divergence_resolve(listing=listing, adopt_saleor=False, actor=operator)
    listing.refresh_from_db()
    assert listing.sync_status == Listing.Sync.DONE, listing.sync_error
    assert product_attributes(saleor_api_url, staff_token, listing) == {MATERIAL: ["铜"], LENGTH: ["12.5"]}


def test_live_an_attribute_renamed_in_the_taxonomy_is_renamed_and_translated_in_saleor(
    saleor_api_url, staff_token
):
    """On an attribute of this test's own (created and deleted here), not the shared taxonomy's."""
    slug = f"wenchuang-test-{uuid.uuid4().hex[:8]}"
    first = taxonomy.Attribute(
        slug, "测试材质", "Test material", "DROPDOWN", choices=(("a", "甲", "A"), ("b", "乙", "B"))
    )
    client = SaleorClient(saleor_api_url, staff_token)
    attribute_id = ensure_attribute(client, first, None)
    try:
        assert english_names(saleor_api_url, staff_token, [slug]) == {slug: taxonomy_names(slug, first)}

        renamed = taxonomy.Attribute(
            slug, "测试材料", "Test stuff", "DROPDOWN", choices=(("a", "甲一", "A one"), ("b", "乙", "B"))
        )
        node = find_attributes(client, [slug])[slug]
        assert ensure_attribute(client, renamed, node) == attribute_id
        assert english_names(saleor_api_url, staff_token, [slug]) == {slug: taxonomy_names(slug, renamed)}

        # once named, looking again asks for nothing
        with listening(GraphQLRecorder()) as recorder:
            ensure_attribute(client, renamed, find_attributes(client, [slug])[slug])
        assert list(recorder.exchanges) == ["CatalogAttributesFind"]
    finally:
        gql(
            saleor_api_url,
            staff_token,
            "mutation($id: ID!) { attributeDelete(id: $id) { errors { message } } }",
            id=attribute_id,
        )
