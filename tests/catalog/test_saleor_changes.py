"""Products changed in the Saleor Dashboard come back through the product webhook, never overwritten."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from catalog import listings
from catalog import saleor_metadata as meta
from catalog.error_codes import CatalogError, CatalogErrorCode
from catalog.models import Listing
from catalog.saleor_changes import (
    SyncInProgress,
    listing_divergence_resolve,
    product_changed,
    variant_changed,
)
from catalog.saleor_sync import editorjs, listing_sync
from saleor_app.handlers import handlers_for
from tests.catalog.factories import active_unit, curator, make_listing
from tests.catalog.test_attributes import ERA, LENGTH, MATERIAL
from tests.unit_onboarding.factories import operator_of

pytestmark = pytest.mark.django_db
Sync = Listing.Sync


@pytest.fixture
def synced(saleor):
    unit = active_unit("红岩革命纪念馆")
    operator = operator_of(unit)
    listing = make_listing(unit, operator)
    listings.listing_submit(listing=listing, actor=operator)
    listings.listing_review(listing=listing, approve=True, reviewer=curator())
    listing_sync(listing_id=listing.pk)
    listing.refresh_from_db()
    return listing, operator


def event(saleor, listing, *, later_by=timedelta(minutes=5), **changes) -> dict:
    """The product_updated payload our subscription asks for, as Saleor would send it."""
    product = saleor.products[listing.saleor_product_id]
    body = {
        "id": product["id"],
        "name": product["name"],
        "slug": product["slug"],
        "description": product["description"],
        "seoTitle": product["seoTitle"],
        "seoDescription": product["seoDescription"],
        "externalReference": product["externalReference"],
        "updatedAt": (listing.saleor_updated_at + later_by).isoformat(),
        "metadata": [{"key": k, "value": v} for k, v in product["metadata"].items()],
        "attributes": saleor.selected_attributes(product),
        **changes,
    }
    return {"issuedAt": body["updatedAt"], "version": "3.24.0", "product": body}


def test_the_product_events_are_routed_to_the_catalog():
    assert product_changed in handlers_for("product_updated")
    assert product_changed in handlers_for("product_deleted")


def test_an_echo_of_our_own_push_changes_nothing(saleor, synced):
    listing, _ = synced

    product_changed(event_type="product_updated", payload=event(saleor, listing), installation=None)
    product_changed(
        event_type="product_updated",
        payload=event(saleor, listing, later_by=timedelta(0), name="中间状态"),
        installation=None,
    )

    listing.refresh_from_db()
    assert listing.sync_status == Sync.DONE
    assert listing.saleor_divergence == {}


def test_a_dashboard_edit_marks_the_listing_changed_in_saleor_and_stops_pushes(saleor, synced):
    listing, _ = synced

    product_changed(
        event_type="product_updated",
        payload=event(saleor, listing, name="青铜镜书签 仪表盘", description=editorjs("新描述")),
        installation=None,
    )

    listing.refresh_from_db()
    assert listing.sync_status == Sync.DIVERGED
    assert listing.saleor_divergence["name"] == {"ours": "青铜镜书签", "saleor": "青铜镜书签 仪表盘"}
    assert listing.saleor_divergence["description"]["saleor"] == "新描述"
    calls = len(saleor.calls)
    assert listing_sync(listing_id=listing.pk) == Sync.DIVERGED
    assert len(saleor.calls) == calls  # nothing pushed over the Dashboard's edit


def test_the_operator_adopts_saleors_values_as_an_edit_that_is_reviewed(saleor, synced):
    listing, operator = synced
    product_changed(
        event_type="product_updated",
        payload=event(saleor, listing, name="仪表盘名称"),
        installation=None,
    )

    listing_divergence_resolve(listing=listing, adopt_saleor=True, actor=operator)

    listing.refresh_from_db()
    assert listing.saleor_divergence == {}
    assert listing.name_zh == "仪表盘名称"
    assert listing.state == Listing.State.PENDING_REVIEW
    assert listing.pending_revision.content["name_zh"] == "仪表盘名称"


def test_the_operator_restores_the_approved_listing_in_saleor(saleor, synced):
    listing, operator = synced
    saleor.products[listing.saleor_product_id]["name"] = "仪表盘名称"
    product_changed(
        event_type="product_updated", payload=event(saleor, listing, name="仪表盘名称"), installation=None
    )

    listing_divergence_resolve(listing=listing, adopt_saleor=False, actor=operator)
    assert listing_sync(listing_id=listing.pk) == Sync.DONE

    assert saleor.products[listing.saleor_product_id]["name"] == "青铜镜书签"
    with pytest.raises(CatalogError):
        listing_divergence_resolve(listing=listing, adopt_saleor=False, actor=operator)


def test_a_product_deleted_in_saleor_is_recreated_only_when_the_operator_says_so(saleor, synced):
    listing, operator = synced
    payload = event(saleor, listing)
    del saleor.products[listing.saleor_product_id]

    product_changed(event_type="product_deleted", payload=payload, installation=None)
    listing.refresh_from_db()
    assert listing.sync_status == Sync.DIVERGED
    assert listing_sync(listing_id=listing.pk) == Sync.DIVERGED

    listing_divergence_resolve(listing=listing, adopt_saleor=False, actor=operator)
    assert listing_sync(listing_id=listing.pk) == Sync.DONE
    assert len(saleor.products) == 1


def test_events_during_our_own_push_are_retried_later(saleor, synced):
    listing, _ = synced
    Listing.objects.filter(pk=listing.pk).update(sync_status=Sync.SYNCING)

    with pytest.raises(SyncInProgress):
        product_changed(
            event_type="product_updated", payload=event(saleor, listing, name="x"), installation=None
        )


def test_products_that_are_not_ours_are_ignored(saleor, synced):
    listing, _ = synced
    payload = event(saleor, listing, id="UHJvZHVjdDo5OTk=", externalReference="someone-else")
    payload["product"]["metadata"] = [{"key": meta.LISTING_ID, "value": str(listing.pk)}]

    product_changed(event_type="product_updated", payload=payload, installation=None)

    listing.refresh_from_db()
    assert listing.sync_status == Sync.DONE


def variant_event(saleor, listing, *, sku, fen, later_by=timedelta(minutes=5)) -> dict:
    from datetime import datetime

    product = saleor.products[listing.saleor_product_id]
    variant = next(v for v in product["variants"] if v["sku"] == sku)
    return {
        "issuedAt": (datetime.fromisoformat(variant["updatedAt"]) + later_by).isoformat(),
        "version": "3.24.0",
        "productVariant": {
            "id": variant["id"],
            "sku": sku,
            "updatedAt": variant["updatedAt"],  # Saleor leaves it unchanged on a channel price change
            "product": {
                "id": product["id"],
                "externalReference": product["externalReference"],
                "metadata": [{"key": k, "value": v} for k, v in product["metadata"].items()],
            },
            "channelListings": [
                {
                    "channel": {"slug": "default-channel"},
                    "price": {"fractionalAmount": fen, "currency": "CNY"},
                }
            ],
        },
    }


def test_a_price_changed_in_the_dashboard_is_a_divergence_and_can_be_adopted_through_review(saleor, synced):
    listing, operator = synced
    sku = listing.variants.first().sku
    assert variant_changed in handlers_for("product_variant_updated")

    # events older than our push, and echoes of it (same price), change nothing
    variant_changed(
        event_type="product_variant_updated",
        payload=variant_event(saleor, listing, sku=sku, fen=9900, later_by=timedelta(0)),
        installation=None,
    )
    variant_changed(
        event_type="product_variant_updated",
        payload=variant_event(saleor, listing, sku=sku, fen=12800),
        installation=None,
    )
    listing.refresh_from_db()
    assert listing.sync_status == Sync.DONE

    variant_changed(
        event_type="product_variant_updated",
        payload=variant_event(saleor, listing, sku=sku, fen=9900),
        installation=None,
    )
    listing.refresh_from_db()
    assert listing.sync_status == Sync.DIVERGED
    assert listing.saleor_divergence == {f"price:{sku}": {"ours": 12800, "saleor": 9900}}

    listing_divergence_resolve(listing=listing, adopt_saleor=True, actor=operator)
    listing.refresh_from_db()
    assert listing.state == Listing.State.PENDING_REVIEW
    assert {v["sku"]: v["price_fen"] for v in listing.pending_revision.content["variants"]}[sku] == 9900
    assert {v["sku"]: v["price_fen"] for v in listing.live_revision.content["variants"]}[sku] == 12800


def test_an_attribute_value_changed_in_the_dashboard_is_a_divergence_adopted_through_review(
    saleor, synced, client
):
    listing, operator = synced
    product = saleor.products[listing.saleor_product_id]
    # a later save in the Dashboard that leaves the attributes as we pushed them changes nothing
    product_changed(event_type="product_updated", payload=event(saleor, listing), installation=None)
    listing.refresh_from_db()
    assert listing.sync_status == Sync.DONE

    # Saleor's numbers come back as typed in the Dashboard ("12.50"): the same value as our "12.5"
    dashboard = saleor.selected_attributes(product, **{MATERIAL: "玉石", LENGTH: "12.50", ERA: ""})
    product_changed(
        event_type="product_updated", payload=event(saleor, listing, attributes=dashboard), installation=None
    )

    listing.refresh_from_db()
    assert listing.sync_status == Sync.DIVERGED
    assert listing.saleor_divergence == {
        f"attribute:{MATERIAL}": {"ours": "bronze", "saleor": "jade"},
        f"attribute:{ERA}": {"ours": "qin-han", "saleor": ""},
        f"attribute:{LENGTH}": {"ours": "", "saleor": "12.5"},
    }
    calls = len(saleor.calls)
    assert listing_sync(listing_id=listing.pk) == Sync.DIVERGED
    assert len(saleor.calls) == calls  # the Dashboard's values are not pushed over

    # the operator reads them by name and value, as buyers would
    client.force_login(operator)
    page = client.get(reverse("catalog:listing", args=[listing.uid])).content.decode()
    assert "<td>材质 / Material</td><td>铜</td><td>玉石</td>" in page
    assert "<td>最长边尺寸 / Size, longest side (cm)</td><td>—</td><td>12.5 cm</td>" in page

    listing_divergence_resolve(listing=listing, adopt_saleor=True, actor=operator)
    listing.refresh_from_db()
    assert listing.state == Listing.State.PENDING_REVIEW
    assert listing.pending_revision.content["attributes"] == {MATERIAL: "jade", LENGTH: "12.5"}
    assert listing.live_revision.content["attributes"] == {MATERIAL: "bronze", ERA: "qin-han"}


def test_an_attribute_restored_from_the_approved_listing_goes_back_to_saleor(saleor, synced):
    listing, operator = synced
    product = saleor.products[listing.saleor_product_id]
    product["attributes"] = {MATERIAL: "玉石", ERA: "秦汉"}  # as the Dashboard left it
    product_changed(
        event_type="product_updated",
        payload=event(saleor, listing, attributes=saleor.selected_attributes(product)),
        installation=None,
    )

    listing_divergence_resolve(listing=listing, adopt_saleor=False, actor=operator)

    assert listing_sync(listing_id=listing.pk) == Sync.DONE
    assert saleor.products[listing.saleor_product_id]["attributes"] == {MATERIAL: "铜", ERA: "秦汉"}


def test_a_dropdown_value_made_in_the_dashboard_is_shown_but_cannot_be_adopted(saleor, synced):
    listing, operator = synced
    product = saleor.products[listing.saleor_product_id]
    dashboard = saleor.selected_attributes(product, **{MATERIAL: "金"})  # a value Saleor has, we do not
    product_changed(
        event_type="product_updated", payload=event(saleor, listing, attributes=dashboard), installation=None
    )
    listing.refresh_from_db()
    assert listing.saleor_divergence == {f"attribute:{MATERIAL}": {"ours": "bronze", "saleor": "金"}}

    with pytest.raises(CatalogError) as refused:
        listing_divergence_resolve(listing=listing, adopt_saleor=True, actor=operator)

    assert refused.value.code == CatalogErrorCode.ATTRIBUTE_INVALID
    listing.refresh_from_db()
    assert listing.sync_status == Sync.DIVERGED  # still the operator's decision; restoring remains
    assert listing.attributes == {MATERIAL: "bronze", ERA: "qin-han"}


def test_a_listing_pushed_before_attributes_were_compared_is_not_flagged_by_them(saleor, synced):
    listing, _ = synced
    fingerprint = {k: v for k, v in listing.synced_fingerprint.items() if k != "attributes"}
    Listing.objects.filter(pk=listing.pk).update(synced_fingerprint=fingerprint)
    listing.refresh_from_db()
    product = saleor.products[listing.saleor_product_id]

    product_changed(
        event_type="product_updated",
        payload=event(saleor, listing, attributes=saleor.selected_attributes(product, **{MATERIAL: "玉石"})),
        installation=None,
    )

    listing.refresh_from_db()
    assert listing.sync_status == Sync.DONE
