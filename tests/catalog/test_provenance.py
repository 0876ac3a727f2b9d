"""Cultural provenance: collection objects (also from CSV), product links, IP licences and their expiry."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from catalog import listings, provenance
from catalog.error_codes import CatalogError, CatalogErrorCode
from catalog.models import CollectionObject, Listing
from catalog.saleor_sync import product_metadata
from catalog.tasks import unpublish_expired_licences
from tests.catalog.factories import active_unit, curator, make_listing
from tests.unit_onboarding.factories import operator_of

pytestmark = pytest.mark.django_db

CSV = (
    "accession_number,title_zh,title_en,era,material,dimensions,story_zh,story_en,public_domain\n"
    "SX-0001,鎏金铜佛像,Gilt bronze Buddha,明,铜鎏金,高 32 cm,故事,Story,是\n"
    "SX-0002,青花瓷瓶,Blue-and-white vase,清,瓷,高 45 cm,,,no\n"
)


@pytest.fixture
def unit():
    return active_unit("三峡博物馆")


def test_a_csv_dry_run_reports_what_would_happen_and_writes_nothing(unit):
    result = provenance.collection_objects_import(unit=unit, data=CSV.encode(), dry_run=True)

    assert (result.ok, result.created, result.updated) == (True, 2, 0)
    assert CollectionObject.objects.count() == 0


def test_a_csv_import_creates_then_updates_by_accession_number(unit):
    provenance.collection_objects_import(unit=unit, data=CSV.encode(), dry_run=False)
    again = provenance.collection_objects_import(
        unit=unit, data=CSV.replace("高 45 cm", "高 46 cm").encode("gb18030"), dry_run=False
    )

    assert (again.created, again.updated) == (0, 2)
    vase = CollectionObject.objects.get(unit=unit, accession_number="SX-0002")
    assert (vase.dimensions, vase.public_domain) == ("高 46 cm", False)
    assert CollectionObject.objects.get(accession_number="SX-0001").public_domain is True


def test_a_csv_with_bad_rows_imports_nothing_and_names_each_problem(unit):
    bad = CSV + ",无编号,,,,,,,\nSX-0001,重复,,,,,,,maybe\n"

    result = provenance.collection_objects_import(unit=unit, data=bad.encode(), dry_run=False)

    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [
        (4, "accession_number"),
        (5, "public_domain"),
        (5, "accession_number"),
    ]
    assert CollectionObject.objects.count() == 0


def test_accession_numbers_are_unique_per_unit_only(unit):
    other = active_unit("other")
    provenance.collection_object_save(unit=unit, data={"title_zh": "a", "accession_number": "X-1"})
    provenance.collection_object_save(unit=other, data={"title_zh": "b", "accession_number": "X-1"})

    with pytest.raises(provenance.DuplicateAccession):
        provenance.collection_object_save(unit=unit, data={"title_zh": "c", "accession_number": "X-1"})


def test_a_product_credits_its_object_and_designer_in_the_saleor_metadata(unit):
    obj = provenance.collection_object_save(
        unit=unit,
        data={"title_zh": "鎏金铜佛像", "accession_number": "SX-0001", "era": "明", "story_zh": "故事"},
    )
    listing = make_listing(unit, collection_object=obj, relation="reproduction", designer="王设计")
    listings.listing_submit(listing=listing, actor=operator_of(unit))
    listing.refresh_from_db()

    metadata = {m["key"]: m["value"] for m in product_metadata(listing, listing.pending_revision.content)}

    record = json.loads(metadata["wenchuang.provenance"])
    assert record["accession"] == "SX-0001"
    assert (record["relation"], record["designer"], record["era"]) == ("reproduction", "王设计", "明")


def test_an_object_of_another_unit_needs_that_units_licence(unit):
    lender = active_unit("lender")
    obj = provenance.collection_object_save(unit=lender, data={"title_zh": "铜镜", "accession_number": "L-1"})

    with pytest.raises(CatalogError) as refused:
        make_listing(unit, collection_object=obj, relation="adaptation")
    assert refused.value.code == CatalogErrorCode.OBJECT_OF_OTHER_UNIT

    today = timezone.localdate()
    licence = provenance.ip_licence_create(
        licensor=lender,
        data={
            "licensee_name": "重庆文创有限公司",
            "licensee_credit_code": "",
            "scope": "文具",
            "valid_from": today - timedelta(days=1),
            "valid_until": today + timedelta(days=30),
            "royalty_bps": 800,
        },
    )
    listing = make_listing(unit, collection_object=obj, relation="adaptation", licence=licence)
    assert listing.licence == licence


def test_the_database_refuses_an_impossible_licence(unit):
    with pytest.raises(IntegrityError):
        provenance.ip_licence_create(
            licensor=unit,
            data={
                "licensee_name": "x",
                "licensee_credit_code": "",
                "scope": "x",
                "valid_from": date(2026, 1, 2),
                "valid_until": date(2026, 1, 1),
                "royalty_bps": 100,
            },
        )


def test_the_beat_job_takes_products_off_sale_when_their_licence_expires(unit):
    today = timezone.localdate()
    licence = provenance.ip_licence_create(
        licensor=unit,
        data={
            "licensee_name": "被许可方",
            "licensee_credit_code": "",
            "scope": "全部",
            "valid_from": today - timedelta(days=10),
            "valid_until": today,
            "royalty_bps": 500,
        },
    )
    operator = operator_of(unit)
    licensed = make_listing(unit, operator, licence=licence)
    unlicensed = make_listing(unit, operator)
    for listing in (licensed, unlicensed):
        listings.listing_submit(listing=listing, actor=operator)
        listings.listing_review(listing=listing, approve=True, reviewer=curator())
        listings.listing_publish(listing=listing, on_sale=True)

    assert unpublish_expired_licences.delay().get() == 0  # valid through today

    assert provenance.listings_unpublish_expired(today=today + timedelta(days=1)) == 1
    assert Listing.objects.get(pk=licensed.pk).on_sale is False
    assert Listing.objects.get(pk=licensed.pk).state == Listing.State.APPROVED
    assert Listing.objects.get(pk=unlicensed.pk).on_sale is True
