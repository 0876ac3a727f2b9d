"""The back office: members only, figures from this unit's rows, bounded queries."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from catalog.models import IpLicence, Listing, ListingVariant
from orders.models import Order, OrderLine
from payments.settlement import services as settlement
from tests.auth import login_verified
from tests.catalog.factories import active_unit, make_listing
from tests.payments.settlement.conftest import pay
from tests.unit_onboarding.factories import UserFactory, operator_of
from unit_onboarding.models import OperatingEntity, UnitMembership

pytestmark = pytest.mark.django_db
NOW = "2026-03-10T04:00:00+00:00"  # 12:00 in Beijing, 10 March
_seq = itertools.count(1)


def sale(
    unit, placed: str, net: int, *, tax: int = 0, status: str = "UNFULFILLED", shipped: int = 0
) -> Order:
    n = next(_seq)
    order = Order.objects.create(
        saleor_id=f"office-order-{n}",
        number=str(1000 + n),
        status=status,
        currency="CNY",
        total=net + tax,
        created_in_saleor=datetime.fromisoformat(placed),
        saleor_updated_at=datetime.fromisoformat(placed),
    )
    OrderLine.objects.create(
        order=order,
        saleor_id=f"office-line-{n}",
        unit=unit,
        product_name="青花瓷杯",
        quantity=1,
        quantity_fulfilled=shipped,
        undiscounted_total=net + tax,
        total_net=net,
        total_tax=tax,
        currency="CNY",
    )
    return order


@pytest.fixture
def unit():
    return active_unit("重庆博物馆")


def dashboard(client, unit, **extra):
    return client.get(reverse("office:dashboard", kwargs={"uid": unit.uid}), **extra)


def test_anonymous_go_to_login_and_another_units_member_gets_404(client, unit):
    page = dashboard(client, unit)
    assert page.status_code == 302 and "/onboarding/login/" in page["Location"]
    client.force_login(operator_of(active_unit("别的馆")))
    assert dashboard(client, unit).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_sales_are_counted_by_beijing_day_and_only_for_this_unit(client, unit):
    sale(unit, "2026-03-09T16:30:00+00:00", 1000)  # 00:30 on 10 March in Beijing: today
    sale(unit, "2026-03-09T15:30:00+00:00", 200, tax=26)  # 23:30 on 9 March in Beijing: not today, in 7 days
    sale(unit, "2026-03-02T00:00:00+00:00", 50000)  # 8 days ago: in 30 days only
    sale(unit, "2026-02-01T00:00:00+00:00", 777)  # older than 30 days
    sale(unit, "2026-03-10T01:00:00+00:00", 9999, status="CANCELED")  # not a sale
    sale(active_unit("别的馆"), "2026-03-10T01:00:00+00:00", 4242)  # another unit's
    client.force_login(operator_of(unit))

    html = dashboard(client, unit).content.decode()

    assert '<strong data-figure="today">¥10.00</strong>' in html
    assert '<strong data-figure="week">¥12.26</strong>' in html
    assert '<strong data-figure="month">¥512.26</strong>' in html
    assert "42.42" not in html and "99.99" not in html and "7.77" not in html


@time_machine.travel(NOW, tick=False)
def test_work_lists_link_to_the_item_oldest_order_first(client, unit):
    newer = sale(unit, "2026-03-09T00:00:00+00:00", 100)
    older = sale(unit, "2026-03-01T00:00:00+00:00", 100)
    sale(unit, "2026-02-20T00:00:00+00:00", 100, status="FULFILLED", shipped=1)
    in_review = make_listing(unit, name_zh="待审核的镇纸")
    Listing.objects.filter(pk=in_review.pk).update(state=Listing.State.PENDING_REVIEW)
    failed = make_listing(unit, name_zh="同步失败的书签")
    Listing.objects.filter(pk=failed.pk).update(sync_status=Listing.Sync.FAILED)
    low = make_listing(unit, name_zh="快卖完的团扇")
    Listing.objects.filter(pk=low.pk).update(state=Listing.State.PUBLISHED)
    ListingVariant.objects.filter(listing=low).update(stock=2)
    IpLicence.objects.create(
        licensor=unit,
        licensee_name="山城文创公司",
        scope="纹样",
        valid_from=date(2025, 1, 1),
        valid_until=date(2026, 4, 5),
        royalty_bps=500,
        status=IpLicence.Status.IN_FORCE,
    )
    IpLicence.objects.create(
        licensor=unit,
        licensee_name="远期授权公司",
        scope="纹样",
        valid_from=date(2025, 1, 1),
        valid_until=date(2026, 6, 1),
        royalty_bps=500,
        status=IpLicence.Status.IN_FORCE,
    )
    client.force_login(operator_of(unit))

    html = dashboard(client, unit).content.decode()

    older_link = reverse("orders:detail", kwargs={"uid": unit.uid, "pk": older.pk})
    newer_link = reverse("orders:detail", kwargs={"uid": unit.uid, "pk": newer.pk})
    assert html.index(older_link) < html.index(newer_link)
    assert reverse("catalog:listing", kwargs={"uid": in_review.uid}) in html and "待审核的镇纸" in html
    assert reverse("catalog:listing", kwargs={"uid": failed.uid}) in html
    assert reverse("catalog:listing_edit", kwargs={"uid": low.uid}) in html and "快卖完的团扇" in html
    assert "山城文创公司" in html and "2026-04-05" in html and "远期授权公司" not in html


@time_machine.travel(NOW, tick=False)
def test_query_count_does_not_grow_with_orders_and_listings(client, unit, django_assert_max_num_queries):
    client.force_login(operator_of(unit))
    sale(unit, "2026-03-09T00:00:00+00:00", 100)
    make_listing(unit)
    with django_assert_max_num_queries(30) as few:
        dashboard(client, unit)
    for day in range(1, 9):
        sale(unit, f"2026-03-0{day}T00:00:00+00:00", 100)
        listing = make_listing(unit)
        Listing.objects.filter(pk=listing.pk).update(sync_status=Listing.Sync.FAILED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        dashboard(client, unit)


def test_chinese_pages_have_no_english_labels_and_english_is_offered(client, unit):
    client.force_login(operator_of(unit))
    html = dashboard(client, unit).content.decode()
    for english in (
        "Dashboard",
        "Listings",
        "Orders",
        "Shipping rates",
        "Library objects",
        "Members",
        "Sales",
        "Low stock",
        "Skip to content",
        "Back office",
        "Today",
    ):
        assert f">{english}<" not in html, english
    assert "工作台" in html and "跳到正文" in html and 'aria-label="文博单位"' in html
    english = dashboard(client, unit, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Dashboard<" in english and ">Shipping rates<" in english


def test_login_lands_on_office_and_the_switcher_opens_the_chosen_unit(client, unit):
    user = UserFactory()
    user.set_password("Bronze-Mirror-1987")
    user.save()
    UnitMembership.objects.create(user=user, unit=unit, role=UnitMembership.Role.OPERATOR)
    login = client.post(
        reverse("unit_onboarding:login"), {"username": user.email, "password": "Bronze-Mirror-1987"}
    )
    assert login.status_code == 302 and login["Location"] == reverse("office:home")
    home = client.get(reverse("office:home"))
    assert home["Location"] == reverse("office:dashboard", kwargs={"uid": unit.uid})
    other = active_unit("第二馆")
    UnitMembership.objects.create(user=user, unit=other, role=UnitMembership.Role.FINANCE)
    login_verified(client, user)  # a finance member signs in with a second factor
    assert client.get(reverse("office:home")).status_code == 200  # a choice of units
    switched = client.get(reverse("office:home"), {"unit": str(other.uid)})
    assert switched["Location"] == reverse("office:dashboard", kwargs={"uid": other.uid})
    stranger = active_unit("陌生馆")
    assert client.get(reverse("office:home"), {"unit": str(stranger.uid)}).status_code == 200  # not theirs
    finance_page = dashboard(client, other).content.decode()
    assert reverse("finance:statement", kwargs={"party": other.party_key}) in finance_page
    assert reverse("catalog:listings", kwargs={"uid": other.uid}) not in finance_page  # operator's only


def test_people_without_a_unit_land_on_onboarding(client):
    client.force_login(UserFactory())
    assert client.get(reverse("office:home"))["Location"] == reverse("unit_onboarding:home")


@time_machine.travel(NOW, tick=False)
def test_the_chart_shows_each_beijing_day_of_the_last_30(client, unit):
    sale(unit, "2026-03-09T16:30:00+00:00", 1000)  # 10 March in Beijing
    sale(unit, "2026-03-09T15:30:00+00:00", 20000)  # 9 March in Beijing
    sale(unit, "2026-02-01T00:00:00+00:00", 77700)  # older than 30 days: not drawn
    client.force_login(operator_of(unit))

    html = dashboard(client, unit).content.decode()

    chart = html[html.index('id="sales-chart"') : html.index("</figure>")]
    assert chart.count("<rect") == 30
    assert "<title>03-10: 10</title>" in chart and "<title>03-09: 200</title>" in chart
    assert "<title>02-09: 0</title>" in chart and "02-01" not in chart and "777" not in chart


@time_machine.travel(NOW, tick=False)
def test_unit_finance_sees_the_next_payout_of_the_units_parties_and_operators_do_not(client, unit):
    entity = OperatingEntity.objects.get(unit=unit)
    pay("o-feb", unit.party_key, 10_000, datetime(2026, 2, 20, 4, tzinfo=UTC))  # never batched: still owed
    pay("o-mar", unit.party_key, 20_000, datetime(2026, 3, 5, 4, tzinfo=UTC))
    pay("o-other", active_unit("别的馆").party_key, 99_900, datetime(2026, 3, 5, 4, tzinfo=UTC))
    finance = operator_of(unit, UnitMembership.Role.FINANCE)
    login_verified(client, finance)

    html = dashboard(client, unit).content.decode()

    section = html[html.index('id="payout-h"') :]
    # 90% of 100.00 + 200.00, proposed when March closes; the entity has nothing yet
    assert f'data-party="{unit.party_key}">' in section and "¥270.00" in section and "2026-04-01" in section
    assert "2026-03-25" in section  # lines after the cutoff wait for the return window
    assert f'data-party="{entity.party_key}">' in section and "¥0.00" in section
    assert "899.10" not in section  # another unit's

    # once a batch is proposed for the party, the dashboard says it waits for platform finance
    settlement.settlement_run(period_start=date(2026, 2, 1), period_end=date(2026, 3, 1), actor=UserFactory())
    html = dashboard(client, unit).content.decode()
    assert "¥90.00" in html[html.index('id="payout-h"') :] and "等待平台财务" in html

    client.force_login(operator_of(unit))
    assert 'id="payout-h"' not in dashboard(client, unit).content.decode()
