"""Provisioning an approved unit in Saleor: one warehouse, tagged, in the channel; retry-safe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SaleorInstallationFactory
from unit_onboarding import tasks
from unit_onboarding.models import Unit
from unit_onboarding.provisioning import (
    UNIT_METADATA_KEY,
    unit_provision,
    unit_provisioning_request,
    unit_provisioning_retry,
    units_due_for_provisioning,
    warehouse_address,
)
from unit_onboarding.selectors import unit_for_warehouse

from .factories import UnitFactory
from .fake_saleor import CHANNEL_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def installation():
    return SaleorInstallationFactory()


@pytest.fixture
def approved_unit():
    unit = UnitFactory(status=Unit.Status.ACTIVE)
    unit_provisioning_request(unit=unit)
    return unit


def test_provisioning_creates_one_tagged_warehouse_in_the_channel(saleor, installation, approved_unit):
    unit = unit_provision(unit_id=approved_unit.pk)

    assert unit.provisioning == Unit.Provisioning.DONE
    [warehouse] = saleor.warehouses.values()
    assert unit.saleor_warehouse_id == warehouse["id"]
    assert {"key": UNIT_METADATA_KEY, "value": str(unit.uid)} in warehouse["metadata"]
    assert warehouse["slug"] == f"wenchuang-unit-{unit.uid}"
    assert saleor.channel_warehouses == [warehouse["id"]]
    assert warehouse["address"]["countryArea"] == "重庆市"
    assert warehouse["address"]["city"] == "渝中区"  # municipalities: the district is Saleor's city


def test_the_unit_is_found_from_its_warehouse(saleor, installation, approved_unit):
    unit = unit_provision(unit_id=approved_unit.pk)

    assert unit_for_warehouse(unit.saleor_warehouse_id) == unit
    assert unit_for_warehouse("V2FyZWhvdXNlOm5vbmU=") is None
    assert unit_for_warehouse("") is None


def test_provisioning_again_creates_nothing_new(saleor, installation, approved_unit):
    unit_provision(unit_id=approved_unit.pk)
    unit_provisioning_retry(unit=approved_unit)  # a no-op once done
    Unit.objects.filter(pk=approved_unit.pk).update(provisioning=Unit.Provisioning.PENDING)

    unit = unit_provision(unit_id=approved_unit.pk)

    assert unit.provisioning == Unit.Provisioning.DONE
    assert len(saleor.warehouses) == 1
    assert len(saleor.channel_warehouses) == 1
    assert saleor.calls.count("UnitWarehouseCreate") == 1


def test_when_saleor_is_down_the_unit_stays_approved_but_unprovisioned_and_retry_succeeds(
    saleor, installation, approved_unit
):
    saleor.down = True

    unit = unit_provision(unit_id=approved_unit.pk)

    assert unit.status == Unit.Status.ACTIVE
    assert unit.provisioning == Unit.Provisioning.FAILED
    assert "503" in unit.provisioning_error
    assert unit.saleor_warehouse_id == ""
    assert saleor.warehouses == {}

    saleor.down = False
    Unit.objects.filter(pk=unit.pk).update(provisioning_attempted_at=timezone.now() - timedelta(minutes=5))
    assert units_due_for_provisioning() == [unit.pk]
    assert tasks.provision_due_units.delay().get() == 1

    unit.refresh_from_db()
    assert unit.provisioning == Unit.Provisioning.DONE
    assert unit.provisioning_error == ""
    assert len(saleor.warehouses) == 1


def test_a_create_applied_but_unanswered_is_found_by_the_retry_not_duplicated(
    saleor, installation, approved_unit
):
    saleor.fail_after_create = True

    first = unit_provision(unit_id=approved_unit.pk)
    assert len(saleor.warehouses) == 1  # Saleor applied the create; we never saw the answer
    if first.provisioning == Unit.Provisioning.FAILED:  # the client does not resend a mutation
        unit_provisioning_retry(unit=first)
        unit_provision(unit_id=first.pk)

    unit = Unit.objects.get(pk=first.pk)
    assert unit.provisioning == Unit.Provisioning.DONE
    assert len(saleor.warehouses) == 1
    assert unit.saleor_warehouse_id == next(iter(saleor.warehouses))


def test_a_create_that_loses_a_race_uses_the_winner(saleor, installation, approved_unit):
    # Another worker created the warehouse between our lookup and our create.
    original_find = saleor.op_UnitWarehouseFind
    lookups = []

    def find_then_race(v):
        lookups.append(v)
        if len(lookups) == 1:
            saleor.op_UnitWarehouseCreate(
                {"input": {"slug": v["slug"], "externalReference": v["externalReference"], "address": {}}}
            )
            return {"byReference": None, "bySlug": {"edges": []}}
        return original_find(v)

    saleor.op_UnitWarehouseFind = find_then_race

    unit = unit_provision(unit_id=approved_unit.pk)

    assert unit.provisioning == Unit.Provisioning.DONE
    assert len(saleor.warehouses) == 1


def test_without_an_installation_provisioning_fails_visibly(saleor, approved_unit):
    unit = unit_provision(unit_id=approved_unit.pk)

    assert unit.provisioning == Unit.Provisioning.FAILED
    assert "not installed" in unit.provisioning_error
    assert saleor.calls == []


def test_an_unknown_channel_is_reported(saleor, installation, approved_unit, settings):
    settings.SALEOR_CHANNEL_SLUG = "no-such-channel"

    unit = unit_provision(unit_id=approved_unit.pk)

    assert unit.provisioning == Unit.Provisioning.FAILED
    assert "no-such-channel" in unit.provisioning_error


def test_units_not_approved_are_never_provisioned(saleor, installation):
    unit = UnitFactory()  # still applying

    assert unit_provision(unit_id=unit.pk).provisioning == Unit.Provisioning.NOT_REQUESTED
    assert saleor.calls == []


def test_provinces_keep_city_and_district_apart():
    unit = UnitFactory.build(province="四川省", city="成都市", district="武侯区", postal_code="610041")

    address = warehouse_address(unit)

    assert (address["countryArea"], address["city"], address["cityArea"]) == ("四川省", "成都市", "武侯区")


def test_the_warehouse_is_added_to_every_shipping_zone_of_the_channel(saleor, installation, approved_unit):
    china = saleor.zone_add("中国大陆 Mainland China", ["CN"], [CHANNEL_ID])
    other_channel = saleor.zone_add("Elsewhere", ["US"], ["Q2hhbm5lbDo5"])

    unit = unit_provision(unit_id=approved_unit.pk)

    assert unit.provisioning == Unit.Provisioning.DONE
    assert china["warehouses"] == [unit.saleor_warehouse_id]
    assert other_channel["warehouses"] == []


def test_provisioning_again_adds_the_warehouse_to_a_zone_once(saleor, installation, approved_unit):
    china = saleor.zone_add("中国大陆 Mainland China", ["CN"], [CHANNEL_ID])
    unit_provision(unit_id=approved_unit.pk)
    Unit.objects.filter(pk=approved_unit.pk).update(provisioning=Unit.Provisioning.PENDING)

    unit = unit_provision(unit_id=approved_unit.pk)

    assert unit.provisioning == Unit.Provisioning.DONE
    assert china["warehouses"] == [unit.saleor_warehouse_id]
    assert saleor.calls.count("ShippingZoneWarehouseAdd") == 1
