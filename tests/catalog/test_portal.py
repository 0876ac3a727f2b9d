"""The operator portal and the curator's queue, through HTTP as a browser would use them."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Listing
from tests.auth import login_verified
from tests.catalog import image_factories as make
from tests.catalog.factories import active_unit, curator, make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return active_unit("重庆图书馆")


def listing_post(**extra) -> dict:
    data = {
        "name_zh": "古籍雕版笔记本",
        "name_en": "Woodblock notebook",
        "description_zh": "取自馆藏明代刻本。",
        "description_en": "",
        "category": "wenchuang-stationery",
        "product_type": "wenchuang-goods",
        "seo_title": "",
        "seo_description": "",
        "collection_object": "",
        "relation": "",
        "designer": "",
        "licence": "",
        "attr_wenchuang-material": "paper",
        "variants-TOTAL_FORMS": "2",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "50",
        "variants-0-sku": "WB-A5",
        "variants-0-name_zh": "A5",
        "variants-0-price": "68.00",
        "variants-0-stock": "20",
        "variants-0-weight_g": "300",
        "variants-1-sku": "WB-A6",
        "variants-1-name_zh": "A6",
        "variants-1-price": "48.5",
        "variants-1-stock": "30",
        "variants-1-weight_g": "200",
    }
    data.update(extra)
    return data


def test_an_operator_lists_a_product_uploads_an_image_and_a_curator_approves_it(
    client, unit, operator, django_capture_on_commit_callbacks
):
    client.force_login(operator)

    response = client.post(reverse("catalog:listing_new", args=[unit.uid]), listing_post())
    assert response.status_code == 302
    listing = Listing.objects.get(unit=unit)
    assert sorted(listing.variants.values_list("sku", "price_fen")) == [("WB-A5", 6800), ("WB-A6", 4850)]

    photo = make.encoded(make.quadrants(800, 600), "JPEG")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("catalog:listing_image_upload", args=[listing.uid]),
            {"image": SimpleUploadedFile("p.jpg", photo, content_type="image/jpeg"), "alt": "封面"},
        )
    assert response.status_code == 302
    page = client.get(reverse("catalog:listing", args=[listing.uid])).content.decode()
    assert "<img" in page

    client.post(reverse("catalog:listing_submit", args=[listing.uid]))
    listing.refresh_from_db()
    assert listing.state == Listing.State.PENDING_REVIEW

    login_verified(client, curator())
    assert "古籍雕版笔记本" in client.get(reverse("catalog:review_queue")).content.decode()
    response = client.post(
        reverse("catalog:review", args=[listing.uid]), {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 302

    client.force_login(operator)
    client.post(reverse("catalog:listing_publish", args=[listing.uid]), {"on_sale": "1"})
    listing.refresh_from_db()
    assert (listing.state, listing.on_sale) == (Listing.State.PUBLISHED, True)


def test_a_refused_image_gets_a_clear_message(client, unit, operator):
    listing = make_listing(unit, operator)
    client.force_login(operator)

    response = client.post(
        reverse("catalog:listing_image_upload", args=[listing.uid]),
        {"image": SimpleUploadedFile("notes.jpg", b"just some text, not a photo", content_type="image/jpeg")},
        follow=True,
    )

    assert listing.images.count() == 0
    assert "not" in response.content.decode().lower() or "不" in response.content.decode()


def test_a_rejection_reason_is_shown_to_the_operator_who_can_resubmit(client, unit, operator):
    listing = make_listing(unit, operator)
    client.force_login(operator)
    client.post(reverse("catalog:listing_submit", args=[listing.uid]))
    login_verified(client, curator())

    missing_reason = client.post(reverse("catalog:review", args=[listing.uid]), {"decision": "reject"})
    assert missing_reason.status_code == 400
    client.post(reverse("catalog:review", args=[listing.uid]), {"decision": "reject", "reason": "价格过高"})

    client.force_login(operator)
    page = client.get(reverse("catalog:listing", args=[listing.uid])).content.decode()
    assert "价格过高" in page
    client.post(reverse("catalog:listing_submit", args=[listing.uid]))
    listing.refresh_from_db()
    assert listing.state == Listing.State.PENDING_REVIEW


def test_search_finds_by_name_and_sku(client, unit, operator):
    make_listing(unit, operator, name_zh="青铜镜书签", name_en="", skus=("MIRROR-1",))
    make_listing(unit, operator, name_zh="丝巾", name_en="", skus=("SILK-1",))
    client.force_login(operator)
    url = reverse("catalog:listings", args=[unit.uid])

    assert "丝巾" not in client.get(url, {"q": "MIRROR"}).content.decode()
    assert "青铜镜书签" not in client.get(url, {"q": "丝巾"}).content.decode()


def test_invalid_prices_and_duplicate_skus_are_explained(client, unit, operator):
    client.force_login(operator)

    response = client.post(
        reverse("catalog:listing_new", args=[unit.uid]),
        listing_post(**{"variants-0-price": "12.345", "variants-1-sku": "WB-A5"}),
    )

    assert response.status_code == 400
    assert Listing.objects.count() == 0


def test_every_variant_field_has_a_label_a_screen_reader_reads(client, unit, operator):
    listing = make_listing(unit, operator)  # one variant, and the formset's empty row
    client.force_login(operator)
    client.cookies["django_language"] = "en"

    page = client.get(reverse("catalog:listing_edit", args=[listing.uid])).content.decode()

    inputs = re.findall(r'<input (?=[^>]*name="variants-(\d+)-(\w+)")[^>]*id="([^"]+)"', page)
    labels = dict(re.findall(r'<label [^>]*for="([^"]+)">([^<]+)</label>', page))
    assert {(row, name) for row, name, _ in inputs} >= {("0", "sku"), ("1", "price"), ("1", "DELETE")}
    assert all(id_ in labels for _, _, id_ in inputs), [id_ for _, _, id_ in inputs if id_ not in labels]
    assert labels["id_variants-0-sku"] == "Variant 1: SKU"
    assert labels["id_variants-1-price"] == "Variant 2: price (CNY)"
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(reverse("catalog:listing_edit", args=[listing.uid])).content.decode()
    assert "规格 1：SKU</label>" in chinese  # noqa: RUF001 (the page's own full-width colon)


def test_pages_render_in_both_languages(client, unit, operator):
    listing = make_listing(unit, operator)
    client.force_login(operator)

    for language in ("en", "zh-hans"):
        client.cookies["django_language"] = language
        for name, args in (
            ("catalog:listings", [unit.uid]),
            ("catalog:listing", [listing.uid]),
            ("catalog:listing_edit", [listing.uid]),
            ("catalog:objects", [unit.uid]),
            ("catalog:licences", [unit.uid]),
            ("catalog:listings_import", [unit.uid]),
        ):
            assert client.get(reverse(name, args=args)).status_code == 200


def test_the_portal_speaks_chinese_by_default_and_english_on_request(client, unit, operator):
    listing = make_listing(unit, operator)
    client.force_login(operator)
    url = reverse("catalog:listing", args=[listing.uid])

    chinese = client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()

    assert "提交审核" in chinese and "草稿" in chinese
    assert "Submit for review" in english and "Draft" in english
