"""Provisioning against the live Saleor: the warehouse carries the unit's uid and sells in the channel (one of
the test's own, whatever SALEOR_CHANNEL_SLUG names); again creates nothing."""

from __future__ import annotations

import pytest

from saleor_app import secrets_at_rest
from saleor_app.models import SaleorInstallation
from tests.live_saleor import gql
from unit_onboarding.models import Unit
from unit_onboarding.provisioning import UNIT_METADATA_KEY, unit_provision

from .factories import unit_to_provision

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db]


@pytest.fixture
def live_installation(saleor_api_url, staff_token, settings):
    # A staff token stands in for the app token: the same calls, without installing the app.
    settings.SALEOR_API_URL = saleor_api_url
    return SaleorInstallation.objects.create(
        api_url=saleor_api_url, token_encrypted=secrets_at_rest.encrypt(staff_token)
    )


@pytest.fixture
def unit(saleor_api_url, staff_token):
    unit = unit_to_provision()
    yield unit
    found = gql(saleor_api_url, staff_token, WAREHOUSES, slug=unit.warehouse_slug)["warehouses"]["edges"]
    for edge in found:
        gql(
            saleor_api_url,
            staff_token,
            "mutation($id: ID!) { deleteWarehouse(id: $id) { errors { message } } }",
            id=edge["node"]["id"],
        )


WAREHOUSES = """query($slug: String!) { warehouses(first: 5, filter: {slugs: [$slug]}) {
  edges { node { id slug externalReference metadata { key value } } } } }"""
CHANNEL = """query($slug: String!) { channel(slug: $slug) { warehouses { id } } }"""


def test_live_provisioning_tags_the_warehouse_and_is_idempotent(
    saleor_api_url, staff_token, live_installation, own_channel, unit
):
    provisioned = unit_provision(unit_id=unit.pk)

    assert provisioned.provisioning == Unit.Provisioning.DONE, provisioned.provisioning_error
    [edge] = gql(saleor_api_url, staff_token, WAREHOUSES, slug=unit.warehouse_slug)["warehouses"]["edges"]
    warehouse = edge["node"]
    assert warehouse["id"] == provisioned.saleor_warehouse_id
    assert {"key": UNIT_METADATA_KEY, "value": str(unit.uid)} in warehouse["metadata"]
    channel_ids = [
        w["id"] for w in gql(saleor_api_url, staff_token, CHANNEL, slug=own_channel)["channel"]["warehouses"]
    ]
    assert warehouse["id"] in channel_ids

    Unit.objects.filter(pk=unit.pk).update(provisioning=Unit.Provisioning.PENDING)  # force a second run
    again = unit_provision(unit_id=unit.pk)

    assert again.provisioning == Unit.Provisioning.DONE
    assert again.saleor_warehouse_id == warehouse["id"]
    assert (
        len(gql(saleor_api_url, staff_token, WAREHOUSES, slug=unit.warehouse_slug)["warehouses"]["edges"])
        == 1
    )
    channel_ids = [
        w["id"] for w in gql(saleor_api_url, staff_token, CHANNEL, slug=own_channel)["channel"]["warehouses"]
    ]
    assert channel_ids.count(warehouse["id"]) == 1
