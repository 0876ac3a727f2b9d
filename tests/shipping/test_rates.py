"""A unit's shipping rates: versions from a time, audited before and after, stale edits refused, own unit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from payments.models import FinanceAuditEvent
from shipping import services
from shipping.error_codes import ShippingError
from shipping.error_codes import ShippingErrorCode as Code
from shipping.models import ShippingRates
from shipping.selectors import rates_in_force
from tests.auth import login_verified
from tests.shipping.conftest import NOW, museum_and_library, rates
from tests.unit_onboarding.factories import operator_of
from unit_onboarding.models import UnitMembership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def change(unit, actor, based_on, **terms):
    defaults = {
        "effective_from": None,
        "default_rate": 1000,
        "province_rates": {},
        "free_over": None,
        "per_item": 0,
        "pickup": False,
    }
    return services.rates_change(unit=unit, actor=actor, based_on=based_on, **{**defaults, **terms})


def test_a_change_is_a_new_version_in_force_from_its_start_and_audited_before_and_after():
    museum, _library = museum_and_library()
    operator = operator_of(museum)
    first = change(museum, operator, None, default_rate=1000, province_rates={"新疆": 2500})
    assert first.province_rates == {"新疆维吾尔自治区": 2500} and first.effective_from == NOW
    later = NOW + timedelta(days=2)
    second = change(museum, operator, first.pk, effective_from=later, default_rate=1200, free_over=20000)

    assert rates_in_force(unit_ids=[museum.pk], at=NOW)[museum.pk] == first
    assert rates_in_force(unit_ids=[museum.pk], at=later - timedelta(seconds=1))[museum.pk] == first
    assert rates_in_force(unit_ids=[museum.pk], at=later)[museum.pk] == second
    audit = FinanceAuditEvent.objects.filter(action="shipping_rates_changed").order_by("pk")
    assert [a.actor for a in audit] == [operator, operator]
    assert audit[0].detail["before"] is None and audit[0].detail["after"]["default_rate"] == 1000
    assert audit[1].detail["before"]["default_rate"] == 1000
    assert audit[1].detail["after"]["default_rate"] == 1200
    assert audit[1].detail["after"]["free_over"] == 20000
    assert audit[1].party == museum.party_key and audit[1].subject == f"shipping_rates:{second.pk}"


def test_an_edit_made_against_an_older_version_is_refused_and_changes_nothing(time_machine):
    museum, _library = museum_and_library()
    a, b = operator_of(museum), operator_of(museum, role=UnitMembership.Role.FINANCE)
    first = change(museum, a, None)
    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    change(museum, b, first.pk, default_rate=1500)
    with pytest.raises(ShippingError) as refused:
        change(museum, a, first.pk, default_rate=500)  # a's page still shows the first version
    assert refused.value.code == Code.STALE_RATES
    with pytest.raises(ShippingError) as refused:
        change(museum, a, None, default_rate=500)  # "there were no rates" is stale too
    assert refused.value.code == Code.STALE_RATES
    assert ShippingRates.objects.filter(unit=museum).count() == 2
    assert FinanceAuditEvent.objects.filter(action="shipping_rates_changed").count() == 2


def test_refusals_in_the_past_unknown_province_and_nothing_served():
    museum, _library = museum_and_library()
    operator = operator_of(museum)
    with pytest.raises(ShippingError) as refused:
        change(museum, operator, None, effective_from=NOW - timedelta(minutes=1))
    assert refused.value.code == Code.IN_THE_PAST
    with pytest.raises(ShippingError) as refused:
        change(museum, operator, None, province_rates={"香港": 100})
    assert refused.value.code == Code.UNKNOWN_PROVINCE
    with pytest.raises(ShippingError) as refused:
        change(museum, operator, None, default_rate=None, province_rates={})
    assert refused.value.code == Code.NO_PROVINCE_SERVED
    assert not ShippingRates.objects.exists()


def test_a_version_is_never_edited_or_deleted():
    museum, _library = museum_and_library()
    version = rates(museum)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        ShippingRates.objects.filter(pk=version.pk).update(default_rate=1)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        ShippingRates.objects.filter(pk=version.pk).delete()


def test_two_changes_on_the_same_base_cannot_both_land_even_past_the_service():
    museum, _library = museum_and_library()
    first = rates(museum)
    rates(museum, based_on=first, effective_from=NOW + timedelta(hours=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        rates(museum, based_on=first, effective_from=NOW + timedelta(hours=2))


def test_the_page_edits_the_units_own_rates_and_refuses_a_stale_form(client):
    museum, _library = museum_and_library()
    operator = operator_of(museum)
    client.force_login(operator)
    url = f"/shipping/units/{museum.uid}/rates/"
    page = client.get(url)
    assert page.status_code == 200
    form = {
        "based_on": "",
        "default_rate": "10.00",
        "province_rates": "新疆 25\n西藏自治区 30.50",
        "free_over": "199",
        "per_item": "2",
        "pickup": "on",
    }
    assert client.post(url, form).status_code == 302
    version = ShippingRates.objects.get(unit=museum)
    assert (version.default_rate, version.free_over, version.per_item, version.pickup) == (
        1000,
        19900,
        200,
        True,
    )
    assert version.province_rates == {"新疆维吾尔自治区": 2500, "西藏自治区": 3050}
    assert version.created_by == operator
    shown = client.get(url).content.decode()
    assert "新疆维吾尔自治区 ¥25.00" in shown
    stale = client.post(url, {**form, "default_rate": "8"})  # based on "none", but a version exists
    assert stale.status_code == 409
    assert ShippingRates.objects.filter(unit=museum).count() == 1
    bad = client.post(url, {**form, "based_on": str(version.pk), "province_rates": "台湾 10"})
    assert bad.status_code == 400


def test_another_units_members_and_strangers_cannot_open_or_change_the_rates(client):
    museum, library = museum_and_library()
    url = f"/shipping/units/{museum.uid}/rates/"
    for outsider in (operator_of(library), operator_of(library, role=UnitMembership.Role.FINANCE)):
        login_verified(client, outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"default_rate": "0"}).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in
    assert not ShippingRates.objects.exists()
    finance = operator_of(museum, role=UnitMembership.Role.FINANCE)
    login_verified(client, finance)
    assert client.post(url, {"based_on": "", "default_rate": "6", "per_item": "0"}).status_code == 302
    assert ShippingRates.objects.get(unit=museum).default_rate == 600
