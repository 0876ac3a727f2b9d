"""Bulk import of listings from CSV: dry run, row-level errors, good products created and bad ones refused,
run by the worker with progress and resumed without duplicates."""

from __future__ import annotations

import pytest

from catalog import imports, provenance
from catalog.models import Listing
from tests.catalog.factories import active_unit, make_listing

pytestmark = pytest.mark.django_db

HEADER = (
    "handle,name_zh,name_en,category,product_type,sku,variant_name_zh,price_cny,stock,weight_g,"
    "accession_number,relation,designer\n"
)
GOOD = HEADER + (
    "mirror,铜镜书签,Mirror bookmark,wenchuang-stationery,wenchuang-goods,"
    "IM-1,金色,38.00,100,30,SX-1,reproduction,王\n"
    "mirror,,,,,IM-2,银色,38.5,50,30,,,\n"
    "scarf,丝巾,Silk scarf,wenchuang-textiles,wenchuang-goods,IM-3,,268,10,120,,,\n"
)


@pytest.fixture
def unit():
    unit = active_unit("三峡博物馆")
    provenance.collection_object_save(unit=unit, data={"title_zh": "铜镜", "accession_number": "SX-1"})
    return unit


def test_a_dry_run_counts_products_and_writes_nothing(unit, operator):
    result = imports.listings_import(unit=unit, data=GOOD.encode(), dry_run=True, actor=operator)

    assert (result.ok, result.created) == (True, 2)
    assert Listing.objects.count() == 0


def test_a_commit_creates_draft_listings_with_their_variants_and_provenance(unit, operator):
    result = imports.listings_import(unit=unit, data=GOOD.encode(), dry_run=False, actor=operator)

    assert result.ok
    mirror = Listing.objects.get(name_zh="铜镜书签")
    assert mirror.state == Listing.State.DRAFT
    assert sorted(mirror.variants.values_list("sku", "price_fen", "stock")) == [
        ("IM-1", 3800, 100),
        ("IM-2", 3850, 50),
    ]
    assert (mirror.collection_object.accession_number, mirror.relation) == ("SX-1", "reproduction")


def test_a_bad_row_refuses_its_product_only_and_each_error_names_row_and_column(unit, operator):
    make_listing(unit, operator, skus=("TAKEN-1",))
    bad = GOOD + (
        "vase,花瓶,,wenchuang-nowhere,wenchuang-goods,TAKEN-1,,12.345,-1,,NOPE,,\n"
        "cup,杯,,wenchuang-homeware,wenchuang-goods,IM-3,,10,1,,,,\n"
    )

    checked = imports.listings_import(unit=unit, data=bad.encode(), dry_run=True, actor=operator)
    result = imports.listings_import(unit=unit, data=bad.encode(), dry_run=False, actor=operator)

    assert (checked.created, checked.refused) == (2, 2)  # mirror and scarf; vase and cup
    assert (result.created, result.refused) == (2, 2)
    assert sorted((e.row, e.column) for e in result.errors) == [
        (5, "accession_number"),
        (5, "category"),
        (5, "price_cny"),
        (5, "relation"),
        (5, "sku"),
        (5, "stock"),
        (6, "sku"),
    ]
    assert sorted(Listing.objects.exclude(name_zh="").values_list("name_zh", flat=True)) == sorted(
        ["铜镜书签", "丝巾", Listing.objects.get(variants__sku="TAKEN-1").name_zh]
    )
    assert not Listing.objects.filter(name_zh__in=["花瓶", "杯"]).exists()


def test_a_file_without_the_required_columns_is_refused():
    from catalog.csv_rows import CsvUnreadable, read_rows

    with pytest.raises(CsvUnreadable, match="缺少列：sku"):  # noqa: RUF001 (the Chinese colon)
        read_rows(b"handle,name_zh\nx,y\n", required=("handle", "sku"))
