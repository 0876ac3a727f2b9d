"""The curator's review page says what an edit changes: sections marked and listed, variant prices in yuan."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog import listings
from tests.auth import login_verified
from tests.catalog.factories import active_unit, curator, make_listing, variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_listing(operator):
    unit = active_unit("三峡博物馆")
    listing = make_listing(unit, operator, skus=("P-1", "P-2"))
    listings.listing_submit(listing=listing, actor=operator)
    listings.listing_review(listing=listing, approve=True, reviewer=curator())
    listing.refresh_from_db()
    return listing


def review_page(client, listing) -> str:
    login_verified(client, curator())
    return client.get(reverse("catalog:review", args=[listing.uid])).content.decode()


def changed_section(page: str) -> str:
    """The submitted version's list (the second on the page), whose class names the changed sections."""
    return page[page.index('<dl class="content', page.index('<dl class="content') + 1) :].split(">", 1)[0]


def test_an_edit_is_listed_and_marked_and_untouched_sections_are_not(client, operator, live_listing):
    listings.listing_update(
        listing=live_listing,
        data={"name_zh": "三峡纹样丝巾·新版"},
        variants=[variant("P-1", price_fen=15800), variant("P-3", price_fen=4200)],
        actor=operator,
    )

    page = review_page(client, live_listing)

    changes = page[page.index('id="changes-h"') : page.index('class="side-by-side"')]
    assert "<li>名称</li>" in changes and "<li>规格</li>" in changes
    assert "<li>描述</li>" not in changes  # the description was not touched
    assert "价格 ¥128.00 → ¥158.00" in changes
    assert "<code>P-3</code>: 新增，¥42.00" in changes  # noqa: RUF001 (the Chinese comma)
    assert "<code>P-2</code>: 删除（原价 ¥128.00）" in changes  # noqa: RUF001
    marks = changed_section(page)
    assert "changed-name" in marks and "changed-variants" in marks and "changed-description" not in marks
    assert "12800" not in page and "¥158.00" in page  # prices in yuan, never fen


def test_a_new_product_has_no_changes_list(client, operator):
    listing = make_listing(active_unit("重庆图书馆"), operator)
    listings.listing_submit(listing=listing, actor=operator)

    page = review_page(client, listing)

    assert 'id="changes-h"' not in page and "changed-" not in page
