"""Product attributes: checked per product type, reviewed with the content, synced to Saleor idempotently."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog import imports, listings, taxonomy
from catalog.error_codes import CatalogError, CatalogErrorCode
from catalog.listings import listing_content
from catalog.models import Listing
from tests.auth import login_verified
from tests.catalog.factories import curator, make_listing
from tests.catalog.test_listing_import import HEADER
from tests.catalog.test_portal import listing_post

pytestmark = pytest.mark.django_db
S = Listing.State
MATERIAL, ERA, LENGTH = "wenchuang-material", "wenchuang-era", "wenchuang-length-cm"
AUTHOR, ISBN = "wenchuang-author", "wenchuang-isbn"


def approve(listing):
    listings.listing_review(listing=listing, approve=True, reviewer=curator())
    listing.refresh_from_db()
    return listing


def test_each_product_type_names_attributes_that_exist():
    for product_type, slugs in taxonomy.PRODUCT_TYPE_ATTRIBUTES.items():
        assert product_type in taxonomy.PRODUCT_TYPES
        assert set(slugs) <= set(taxonomy.ATTRIBUTES)


@pytest.mark.parametrize(
    ("slug", "raw", "stored"),
    [
        (MATERIAL, "bronze", "bronze"),
        (MATERIAL, "陶瓷", "porcelain"),
        (MATERIAL, "silk", "silk"),
        (LENGTH, " 18.50 ", "18.5"),
        (LENGTH, "20", "20"),
        (ISBN, "978-7-02-000220-7", "9787020002207"),
        (AUTHOR, "  常璩 ", "常璩"),
        (ERA, "", ""),
    ],
)
def test_values_are_stored_in_one_form(slug, raw, stored):
    assert taxonomy.ATTRIBUTES[slug].clean(raw) == stored


@pytest.mark.parametrize(
    ("slug", "raw"),
    [(MATERIAL, "plastic"), (LENGTH, "long"), (LENGTH, "-3"), (LENGTH, "NaN"), (ISBN, "9787020002208")],
)
def test_values_an_attribute_does_not_accept_are_refused(slug, raw):
    with pytest.raises(taxonomy.AttributeValueError):
        taxonomy.ATTRIBUTES[slug].clean(raw)


def test_content_carries_attributes_only_when_set(unit, operator):
    plain = make_listing(unit, operator, attributes={})
    assert "attributes" not in listing_content(plain)

    listing = make_listing(unit, operator, attributes={MATERIAL: "铜", LENGTH: "12.0", AUTHOR: "not a book"})

    # only the product type's attributes are kept, in their stored form
    assert listing_content(listing)["attributes"] == {MATERIAL: "bronze", LENGTH: "12"}


def test_a_bad_value_is_refused_by_the_service_and_a_required_one_is_needed_for_review(unit, operator):
    with pytest.raises(CatalogError) as refused:
        make_listing(unit, operator, attributes={MATERIAL: "plastic"})
    assert (refused.value.code, refused.value.field) == (
        CatalogErrorCode.ATTRIBUTE_INVALID,
        f"attr_{MATERIAL}",
    )

    draft = make_listing(unit, operator, attributes={ERA: "ming"})
    with pytest.raises(CatalogError) as incomplete:
        listings.listing_submit(listing=draft, actor=operator)
    assert incomplete.value.code == CatalogErrorCode.LISTING_INCOMPLETE
    assert "材质 / Material" in incomplete.value.message


def test_an_attribute_edit_of_a_published_listing_goes_back_to_review(unit, operator):
    listing = make_listing(unit, operator)
    listings.listing_submit(listing=listing, actor=operator)
    listing = approve(listing)
    listings.listing_publish(listing=listing, on_sale=True)

    listings.listing_update(
        listing=listing, data={"attributes": {MATERIAL: "silver", ERA: "qin-han"}}, actor=operator
    )

    listing.refresh_from_db()
    assert listing.state == S.PENDING_REVIEW
    assert listing.live_revision.content["attributes"][MATERIAL] == "bronze"
    assert listing.pending_revision.content["attributes"][MATERIAL] == "silver"


def test_the_portal_form_shows_bilingual_fields_and_explains_bad_values(client, unit, operator):
    client.force_login(operator)
    url = reverse("catalog:listing_new", args=[unit.uid])

    page = client.get(url).content.decode()
    assert "材质 / Material" in page and "作者 / Author" in page

    response = client.post(url, listing_post(**{f"attr_{MATERIAL}": "plastic", f"attr_{LENGTH}": "long"}))
    assert response.status_code == 400
    assert Listing.objects.count() == 0

    response = client.post(url, listing_post(**{f"attr_{LENGTH}": "18.5", f"attr_{AUTHOR}": "ignored"}))
    assert response.status_code == 302
    listing = Listing.objects.get()
    assert listing.attributes == {MATERIAL: "paper", LENGTH: "18.5"}
    edit = client.get(reverse("catalog:listing_edit", args=[listing.uid])).content.decode()
    assert 'value="18.5"' in edit


def test_csv_attribute_columns_are_checked_row_by_row(unit, operator):
    header = HEADER.strip() + f",attr_{MATERIAL},attr_{LENGTH},attr_{AUTHOR}\n"
    rows = (
        "a,书签,,wenchuang-stationery,wenchuang-goods,CA-1,,10,1,,,,,bronze,12,\n"
        "b,杯,,wenchuang-homeware,wenchuang-goods,CA-2,,10,1,,,,,plastic,long,\n"
        "c,书,,wenchuang-books-prints,wenchuang-book,CA-3,,10,1,,,,,paper,,某人\n"
    )

    result = imports.listings_import(unit=unit, data=(header + rows).encode(), dry_run=False, actor=operator)

    assert sorted((e.row, e.column) for e in result.errors) == [
        (3, f"attr_{LENGTH}"),
        (3, f"attr_{MATERIAL}"),
        (4, f"attr_{MATERIAL}"),
    ]
    assert list(Listing.objects.values_list("name_zh", flat=True)) == ["书签"]  # the good product only

    fixed = rows.replace("plastic,long", "porcelain,9.5").replace("paper,,某人", ",,某人")
    fixed = fixed.split("\n", 1)[1]  # the bookmark is in already
    result = imports.listings_import(unit=unit, data=(header + fixed).encode(), dry_run=False, actor=operator)
    assert result.ok, result.errors
    assert Listing.objects.get(name_zh="杯").attributes == {MATERIAL: "porcelain", LENGTH: "9.5"}
    assert Listing.objects.get(name_zh="书").attributes == {AUTHOR: "某人"}


def test_the_product_type_is_fixed_once_approved(unit, operator):
    listing = make_listing(unit, operator)
    listings.listing_update(listing=listing, data={"product_type": "wenchuang-book"}, actor=operator)
    listings.listing_update(listing=listing, data={"product_type": "wenchuang-goods"}, actor=operator)
    listings.listing_update(
        listing=listing, data={"attributes": {"wenchuang-material": "wood"}}, actor=operator
    )  # a draft may still change type; its attributes were reset meanwhile
    listings.listing_submit(listing=listing, actor=operator)
    approve(listing)

    with pytest.raises(CatalogError) as refused:
        listings.listing_update(listing=listing, data={"product_type": "wenchuang-book"}, actor=operator)
    assert (refused.value.code, refused.value.field) == (CatalogErrorCode.PRODUCT_TYPE_FIXED, "product_type")


def test_the_curator_sees_the_submitted_attributes(client, unit, operator):
    listing = make_listing(unit, operator, attributes={MATERIAL: "silk", LENGTH: "90"})
    listings.listing_submit(listing=listing, actor=operator)
    login_verified(client, curator())

    page = client.get(reverse("catalog:review", args=[listing.uid])).content.decode()

    assert "材质 / Material: 丝绸" in page
    assert "最长边尺寸 / Size, longest side (cm): 90 cm" in page
    assert "wenchuang-goods" not in page  # category and product type by name, not slug
    assert "审核结论" in page
