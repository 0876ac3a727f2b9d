"""One navigation on every back-office page of a unit: the user's own units only, entries by role, current
marked."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Order
from tests.auth import login_verified
from tests.catalog.factories import active_unit
from tests.unit_onboarding.factories import UserFactory, operator_of
from unit_onboarding.models import UnitMembership

from .test_dashboard import sale

pytestmark = pytest.mark.django_db
NAV = re.compile(r'<nav class="unit-nav"[^>]*>.*?</nav>', re.S)


def nav_of(response) -> str:
    assert response.status_code == 200, response.status_code
    found = NAV.findall(response.content.decode())
    assert len(found) == 1, "one back-office navigation per page"
    return found[0]


def links(nav: str) -> dict[str, str]:
    """href -> aria-current ('' when not current) of the navigation's links."""
    return {
        href: current for href, current in re.findall(r'<a href="([^"]+)"(?: aria-current="([^"]+)")?>', nav)
    }


@pytest.fixture
def museum():
    return active_unit("重庆中国三峡博物馆")


def unit_pages(unit) -> dict[str, str]:
    return {
        "dashboard": reverse("office:dashboard", kwargs={"uid": unit.uid}),
        "listings": reverse("catalog:listings", kwargs={"uid": unit.uid}),
        "campaigns": reverse("campaigns:unit_campaigns", kwargs={"uid": unit.uid}),
        "orders": reverse("orders:list", kwargs={"uid": unit.uid}),
        "refunds": reverse("orders:refunds", kwargs={"uid": unit.uid}),
        "promotions": reverse("promotions:unit_promotions", kwargs={"uid": unit.uid}),
        "festivals": reverse("promotions:unit_campaigns", kwargs={"uid": unit.uid}),
        "rates": reverse("shipping:unit_rates", kwargs={"uid": unit.uid}),
        "resources": reverse("resources:objects", kwargs={"uid": unit.uid}),
        "licences": reverse("resources:licence_requests", kwargs={"uid": unit.uid}),
        "calls": reverse("resources:calls", kwargs={"uid": unit.uid}),
        "members": reverse("unit_onboarding:members", kwargs={"uid": unit.uid}),
        "agreement": reverse("unit_onboarding:agreement", kwargs={"uid": unit.uid}),
        "payout": reverse("unit_onboarding:payout", kwargs={"uid": unit.uid}),
        "statement": reverse("finance:statement", kwargs={"party": unit.party_key}),
    }


@pytest.mark.parametrize(
    "page",
    [
        "dashboard",
        "listings",
        "campaigns",
        "orders",
        "refunds",
        "promotions",
        "festivals",
        "rates",
        "resources",
        "licences",
        "calls",
        "members",
        "agreement",
    ],
)
def test_every_operator_page_of_the_unit_has_the_nav_with_itself_marked_current(client, museum, page):
    client.force_login(operator_of(museum))
    pages = unit_pages(museum)

    nav = links(nav_of(client.get(pages[page])))

    operator_pages = {k: v for k, v in pages.items() if k not in ("payout", "statement")}
    assert set(nav) == set(operator_pages.values())  # and no money page for an operator
    assert nav[pages[page]] == "page"
    assert [current for href, current in nav.items() if href != pages[page]] == [""] * (len(nav) - 1)


def test_a_page_inside_a_section_marks_its_section(client, museum):
    order = sale(museum, "2026-03-10T01:00:00+00:00", 1000)
    client.force_login(operator_of(museum))

    nav = links(nav_of(client.get(reverse("orders:detail", kwargs={"uid": museum.uid, "pk": order.pk}))))

    assert nav[unit_pages(museum)["orders"]] == "true"  # aria-current="true": within the orders section


def test_a_finance_member_gets_payout_and_statement_but_no_operator_pages(client, museum):
    login_verified(client, operator_of(museum, role=UnitMembership.Role.FINANCE))
    pages = unit_pages(museum)

    nav = links(nav_of(client.get(pages["payout"])))

    assert nav[pages["payout"]] == "page"
    assert {
        pages[k]
        for k in ("dashboard", "orders", "promotions", "festivals", "rates", "agreement", "statement")
    } <= set(nav)
    assert not {pages[k] for k in ("listings", "campaigns", "resources", "members")} & set(nav)


def test_only_the_users_own_units_are_offered_in_the_switcher(client, museum):
    library = active_unit("重庆图书馆")
    stranger = active_unit("别的馆")
    user = operator_of(museum)
    UnitMembership.objects.create(user=user, unit=library, role=UnitMembership.Role.OPERATOR)
    client.force_login(user)

    html = nav_of(client.get(unit_pages(museum)["orders"]))

    assert re.findall(r'<option value="([^"]+)"', html) == [str(museum.uid), str(library.uid)]
    assert "重庆中国三峡博物馆" in html and "别的馆" not in html and str(stranger.uid) not in html


def test_staff_on_a_unit_they_do_not_belong_to_see_the_platform_entries_not_the_units(client, museum):
    login_verified(client, UserFactory(is_staff=True, is_superuser=True))

    nav = nav_of(client.get(reverse("unit_onboarding:unit", kwargs={"uid": museum.uid})))

    assert set(links(nav)) == {
        reverse("unit_onboarding:review_queue"),
        reverse("catalog:review_queue"),
        reverse("campaigns:review_queue"),
        reverse("finance:home"),
        reverse("promotions:campaign_list"),
        reverse("unit_onboarding:access_log"),
    }
    assert museum.display_name not in nav and "unit-switch" not in nav


def test_an_operator_without_staff_rights_sees_no_platform_entry_and_pages_without_a_unit_no_nav(
    client, museum
):
    client.force_login(operator_of(museum))

    nav = nav_of(client.get(unit_pages(museum)["dashboard"]))
    home = client.get(reverse("unit_onboarding:home")).content.decode()

    assert reverse("finance:home") not in nav and reverse("catalog:review_queue") not in nav
    assert 'class="unit-nav"' not in home


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        nav_of(client.get(url))
    return len(queries)


def test_the_nav_costs_the_same_queries_however_many_units_and_orders(client, museum):
    user = operator_of(museum)
    client.force_login(user)
    sale(museum, "2026-03-10T01:00:00+00:00", 100)
    url = unit_pages(museum)["dashboard"]
    client.get(url)  # warm: sessions, content types
    few = queries_of(client, url)
    for n in range(5):
        UnitMembership.objects.create(
            user=user, unit=active_unit(f"馆{n}"), role=UnitMembership.Role.OPERATOR
        )
    for n in range(20):
        sale(museum, "2026-03-10T01:00:00+00:00", 100 + n)

    assert queries_of(client, url) == few
    assert Order.objects.count() == 21
