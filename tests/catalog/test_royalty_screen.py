"""The designer royalty screen: finance sets a product's royalty from a chosen time on; history and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from catalog import provenance
from catalog.models import DesignerRoyalty
from payments.models import FinanceAuditEvent
from tests.auth import login_verified
from tests.catalog.factories import active_unit, make_listing
from tests.unit_onboarding.factories import DesignerFactory, UserFactory, operator_of, reviewer

pytestmark = pytest.mark.django_db


def later(**delta) -> str:
    return timezone.localtime(timezone.now() + timedelta(**delta)).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def world():
    unit = active_unit("museum")
    operator = operator_of(unit)
    return {
        "unit": unit,
        "operator": operator,
        "finance": operator_of(unit, role="finance"),
        "listing": make_listing(unit, operator),
        "designer": DesignerFactory(unit=unit, slug="li-hua", name_zh="李华"),
    }


def test_unit_finance_sets_a_royalty_from_a_chosen_time_and_sees_the_history(client, world):
    login_verified(client, world["finance"])
    url = reverse("catalog:listing_royalty", args=[world["listing"].uid])

    first = client.post(url, {"designer": "li-hua", "bps": 500, "effective_from": later(hours=1)})
    second = client.post(url, {"designer": "li-hua", "bps": 300, "effective_from": later(days=30)})

    assert (first.status_code, second.status_code) == (302, 302)
    terms = list(DesignerRoyalty.objects.filter(listing=world["listing"]).order_by("effective_from"))
    assert [(t.party_key, t.bps, t.created_by) for t in terms] == [
        ("designer:li-hua", 500, world["finance"]),
        ("designer:li-hua", 300, world["finance"]),
    ]
    assert terms[0].effective_to == terms[1].effective_from and terms[1].effective_to is None
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert page.count("designer:li-hua") == 2 and "李华" in page and "设计者版税" in page
    events = FinanceAuditEvent.objects.filter(action="designer_royalty.set").order_by("pk")
    assert [(e.party, e.detail["bps"], e.actor) for e in events] == [
        ("designer:li-hua", 500, world["finance"]),
        ("designer:li-hua", 300, world["finance"]),
    ]
    assert events[1].detail["replaced"] == "designer:li-hua 500"
    overview = client.get(reverse("catalog:royalties", args=[world["unit"].uid])).content.decode()
    assert "designer:li-hua" in overview and world["listing"].name_zh in overview


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "A royalty cannot start in the past"), ("zh-hans", "版税不能从过去的时间开始")],
)
def test_a_start_in_the_past_is_refused_with_a_clear_message(client, world, language, message):
    login_verified(client, world["finance"])

    response = client.post(
        reverse("catalog:listing_royalty", args=[world["listing"].uid]),
        {"designer": "li-hua", "bps": 500, "effective_from": later(hours=-1)},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DesignerRoyalty.objects.exists()


def test_zero_ends_the_royalty_from_the_chosen_time(client, world):
    start = timezone.now() + timedelta(hours=1)
    provenance.designer_royalty_set(
        listing=world["listing"], designer=world["designer"], bps=500, effective_from=start
    )
    login_verified(client, world["finance"])

    response = client.post(
        reverse("catalog:listing_royalty", args=[world["listing"].uid]),
        {"bps": 0, "effective_from": later(days=2)},
    )

    assert response.status_code == 302
    only = DesignerRoyalty.objects.get()
    assert only.effective_to is not None and only.effective_to > start


def test_only_finance_sets_royalties_operators_only_read_them(client, world):
    client.force_login(world["operator"])
    url = reverse("catalog:listing_royalty", args=[world["listing"].uid])

    page = client.get(url)
    posted = client.post(url, {"designer": "li-hua", "bps": 500, "effective_from": later(hours=1)})

    assert page.status_code == 200 and "<form" not in page.content.decode().split("royalty-history")[1]
    assert posted.status_code == 403
    assert not DesignerRoyalty.objects.exists()


def test_another_units_designer_is_not_a_choice(client, world):
    DesignerFactory(slug="elsewhere")
    login_verified(client, world["finance"])

    response = client.post(
        reverse("catalog:listing_royalty", args=[world["listing"].uid]),
        {"designer": "elsewhere", "bps": 500, "effective_from": later(hours=1)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not DesignerRoyalty.objects.exists()


@pytest.mark.parametrize("role", ["finance", "operator"])
def test_another_units_staff_get_404_on_both_royalty_routes(client, world, role):
    other = active_unit("library")
    intruder = operator_of(other, role=role)
    DesignerFactory(unit=other, slug="intruder")
    login_verified(client, intruder)

    for url in (
        reverse("catalog:listing_royalty", args=[world["listing"].uid]),
        reverse("catalog:royalties", args=[world["unit"].uid]),
    ):
        assert client.get(url).status_code == 404
        posted = client.post(url, {"designer": "li-hua", "bps": 9000, "effective_from": later(hours=1)})
        assert posted.status_code in {404, 405}
    assert not DesignerRoyalty.objects.exists()


def test_platform_reviewers_and_finance_reach_every_units_royalties(client, world):
    finance = UserFactory()
    finance.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    url = reverse("catalog:listing_royalty", args=[world["listing"].uid])

    for user, hours in ((reviewer(), 1), (finance, 2)):
        login_verified(client, user)
        assert (
            client.post(
                url, {"designer": "li-hua", "bps": 100 * hours, "effective_from": later(hours=hours)}
            ).status_code
            == 302
        )

    assert DesignerRoyalty.objects.count() == 2
