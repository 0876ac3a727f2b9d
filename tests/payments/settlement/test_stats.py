"""Statistics for the culture bureau from a month of projected, posted orders: figures, exports, page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from catalog.models import Listing, ListingVariant
from payments.settlement.periods import at_midnight
from payments.settlement.stats import bureau_stats
from tests.auth import login_verified
from tests.payments.settlement.conftest import at, pay
from tests.payments.settlement.month import november
from tests.unit_onboarding.factories import UnitFactory, UserFactory
from unit_onboarding.models import Unit, UnitMembership

pytestmark = pytest.mark.django_db
NOV = "?start=2026-11-01&end=2026-12-01"


def _stats(start="2026-11-01", end="2026-12-01"):
    with translation.override("en"):
        return bureau_stats(
            start=at_midnight(date.fromisoformat(start)),
            end=at_midnight(date.fromisoformat(end)),
            currency="CNY",
        )


def test_sales_by_unit_type_category_and_month_add_up_from_the_orders():
    # given a month of orders with refunds (expected figures worked out by hand in november())
    month = november()
    UnitFactory(status=Unit.Status.APPLYING, unit_type="archive")  # not active: not counted

    # when November's statistics are read
    stats = _stats()

    # then sales are goods after discounts, before tax and shipping, less refunds
    assert stats.months == ["2026-11"]
    assert stats.by_category == {
        "Stationery": {"2026-11": 11_700},
        "Ceramics": {"2026-11": 7_200},
        "Books and prints": {"2026-11": 40_800},
    }
    assert stats.by_unit == {str(month.museum): {"2026-11": 18_900}, str(month.library): {"2026-11": 40_800}}
    assert stats.by_type == {"Museum": {"2026-11": 18_900}, "Library": {"2026-11": 40_800}}
    assert stats.total == {"2026-11": 59_700}
    # and shipping income by unit: m-2's 10.00 (one-price rule: the library, most goods) less 1.00 refunded
    assert stats.shipping_by_unit == {str(month.library): {"2026-11": 900}}
    # and six orders were paid in November by four buyers (an e-mail in other case is the same buyer)
    assert (stats.orders, stats.buyers) == (6, 4)
    assert (stats.orders_by_month, stats.buyers_by_month) == ({"2026-11": 6}, {"2026-11": 4})
    # and counts: active units by type, published listings by category (the cup is off sale)
    assert (stats.units_active, stats.units_by_type) == (2, {"Library": 1, "Museum": 1})
    assert (stats.products, stats.products_by_category) == (2, {"Books and prints": 1, "Stationery": 1})


def test_months_are_separate_and_buyers_count_once_over_the_period():
    november()
    stats = _stats("2026-10-01", "2026-12-01")
    assert stats.months == ["2026-10", "2026-11"]
    assert stats.by_category["Stationery"] == {"2026-10": 3_900, "2026-11": 11_700}
    assert stats.orders_by_month == {"2026-10": 1, "2026-11": 6}
    # b1 bought in October and in November: one buyer in each month, one over the period
    assert stats.buyers_by_month == {"2026-10": 1, "2026-11": 4}
    assert (stats.orders, stats.buyers) == (7, 4)


def test_lines_without_a_listing_or_a_projection_are_still_counted_under_a_dash(parties):
    # given the month, a category outside the taxonomy, a renamed SKU and a posting with no projection
    november()
    Listing.objects.filter(variants__sku="L-PRINT").update(category="wenchuang-unknown")
    ListingVariant.objects.filter(sku="M-CUP").update(sku="M-CUP-RENAMED")
    pay("ledger-only", parties["bank"], 1_000, at(15))

    stats = _stats()

    # then nothing is lost: each shows under its slug or "—", and the total still adds up
    assert stats.by_category["wenchuang-unknown"] == {"2026-11": 40_800}
    assert stats.by_category["—"] == {"2026-11": 7_200 + 1_000}
    assert stats.by_unit["—"] == stats.by_type["—"] == {"2026-11": 1_000}
    assert stats.total == {"2026-11": 59_700 + 1_000}
    assert stats.orders == 7 and stats.buyers == 4  # an order without a projection has no known buyer


def _platform_finance():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    return user


def test_the_statistics_page_and_its_exports_in_both_languages(client):
    month = november()
    login_verified(client, _platform_finance())

    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("finance:stats") + NOV).content.decode()
    assert "分类目销售" in page and "陶瓷" in page and "博物馆" in page and "408.00" in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("finance:stats") + NOV).content.decode()
    assert "Sales by category" in page and "Ceramics" in page and "597.00" in page

    body = client.get(reverse("finance:stats_export", args=["csv"]) + NOV).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["figure", "name", "period", "value"]
    assert ["sales_fen_by_category", "Ceramics", "2026-11", "7200"] in rows
    assert ["sales_fen_by_unit", str(month.museum), "2026-11", "18900"] in rows
    assert ["sales_fen_by_unit_type", "Library", "2026-11", "40800"] in rows
    assert ["buyers", "", "2026-11-01..2026-12-01", "4"] in rows
    assert ["paid_orders", "", "2026-11-01..2026-12-01", "6"] in rows
    assert ["published_products", "Total", "", "2"] in rows

    xlsx = client.get(reverse("finance:stats_export", args=["xlsx"]) + NOV).content
    sheet = load_workbook(io.BytesIO(xlsx), read_only=True).active
    values = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert ("sales_fen", "Total", "2026-11-01..2026-12-01", 59_700) in values
    pdf = client.get(reverse("finance:stats_export", args=["pdf"]) + NOV).content
    assert pdf[:5] == b"%PDF-"

    # and a period without sales shows zero counts, not an error
    empty = client.get(reverse("finance:stats") + "?start=2025-01-01&end=2025-02-01")
    assert empty.status_code == 200 and "Published products" in empty.content.decode()


def test_a_units_finance_staff_cannot_read_the_bureau_statistics(client):
    month = november()
    user = UserFactory()
    UnitMembership.objects.create(user=user, unit=month.museum, role=UnitMembership.Role.FINANCE)
    login_verified(client, user)
    assert client.get(reverse("finance:stats") + NOV).status_code == 404
    assert client.get(reverse("finance:stats_export", args=["csv"]) + NOV).status_code == 404


def test_a_month_is_counted_from_midnight_in_asia_shanghai(parties):
    # given sales at 23:30 on 31 October and at 00:30 on 1 November, Beijing time (both 31 October in UTC)
    pay("late-oct", parties["bank"], 10_000, datetime(2026, 10, 31, 15, 30, tzinfo=UTC))
    pay("early-nov", parties["bank"], 20_000, datetime(2026, 10, 31, 16, 30, tzinfo=UTC))

    # when October and November are read
    stats = _stats("2026-10-01", "2026-12-01")

    # then each is in the month it was paid in China, the whole month and nothing of the next
    assert stats.orders_by_month == {"2026-10": 1, "2026-11": 1}
    assert _stats("2026-11-01", "2026-12-01").orders == 1
