"""Entities paid through Stripe get a Connect account and an onboarding link at provisioning."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.models import FinanceAuditEvent
from tests.factories import SaleorInstallationFactory
from tests.stripe_connect_double import ConnectDouble
from unit_onboarding.models import OperatingEntity, Unit
from unit_onboarding.provisioning import unit_provision, unit_provisioning_request
from unit_onboarding.stripe_connect import entity_connect_onboard

from .factories import OperatingEntityFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_connect(settings):
    with ConnectDouble() as double:
        settings.STRIPE_API_BASE = double.url
        settings.STRIPE_SECRET_KEY = "sk_test_connect"
        settings.STRIPE_MAX_NETWORK_RETRIES = 2
        yield double


@pytest.fixture
def stripe_unit():
    unit = UnitFactory(status=Unit.Status.ACTIVE)
    OperatingEntityFactory(
        unit=unit, settlement_method=OperatingEntity.Settlement.STRIPE, stripe_account_id=""
    )
    unit_provisioning_request(unit=unit)
    return unit


def test_provisioning_creates_the_account_and_its_onboarding_link(saleor, stripe_connect, stripe_unit):
    SaleorInstallationFactory()

    unit = unit_provision(unit_id=stripe_unit.pk)

    entity = unit.operating_entity
    entity.refresh_from_db()
    assert unit.provisioning == Unit.Provisioning.DONE
    assert entity.stripe_account_id in stripe_connect.accounts
    assert entity.stripe_account_created_here
    assert entity.stripe_onboarding_url.startswith("https://connect.stripe.test/setup/")
    assert entity.stripe_onboarding_expires_at > timezone.now()
    account_call = next(form for path, form, _ in stripe_connect.requests if path == "/v1/accounts")
    assert account_call["type"] == "express"
    assert account_call["capabilities[transfers][requested]"] == "true"
    assert account_call["metadata[unit]"] == str(unit.uid)
    created = FinanceAuditEvent.objects.get(action="entity.stripe_account_created")
    assert (created.actor, created.party, created.detail["stripe_account"]) == (
        None,
        entity.party_key,
        entity.stripe_account_id,
    )


def test_repeating_never_opens_a_second_account(stripe_connect, stripe_unit):
    entity = stripe_unit.operating_entity

    first = entity_connect_onboard(entity_id=entity.pk)
    OperatingEntity.objects.filter(pk=entity.pk).update(stripe_account_id="")  # as if the save was lost
    second = entity_connect_onboard(entity_id=entity.pk)

    assert first.stripe_account_id == second.stripe_account_id
    assert len(stripe_connect.accounts) == 1  # the idempotency key returned the same account


def test_a_transient_stripe_error_is_retried_with_the_same_key(stripe_connect, stripe_unit):
    stripe_connect.fail_next = 1

    entity = entity_connect_onboard(entity_id=stripe_unit.operating_entity.pk)

    keys = [key for path, _, key in stripe_connect.requests if path == "/v1/accounts"]
    assert entity.stripe_account_id and len(stripe_connect.accounts) == 1
    assert len(keys) == 2 and keys[0] == keys[1]


def test_an_expired_link_is_refreshed_and_a_valid_one_kept(stripe_connect, stripe_unit):
    entity = entity_connect_onboard(entity_id=stripe_unit.operating_entity.pk)
    kept = entity_connect_onboard(entity_id=entity.pk)
    assert kept.stripe_onboarding_url == entity.stripe_onboarding_url

    OperatingEntity.objects.filter(pk=entity.pk).update(
        stripe_onboarding_expires_at=timezone.now() - timedelta(seconds=1)
    )
    refreshed = entity_connect_onboard(entity_id=entity.pk)

    assert refreshed.stripe_onboarding_url != entity.stripe_onboarding_url


def test_an_account_the_entity_brought_and_bank_settlement_call_nothing(stripe_connect):
    brought = OperatingEntityFactory(
        settlement_method=OperatingEntity.Settlement.STRIPE, stripe_account_id="acct_theirs"
    )
    bank = OperatingEntityFactory(settlement_method=OperatingEntity.Settlement.BANK)

    entity_connect_onboard(entity_id=brought.pk)
    entity_connect_onboard(entity_id=bank.pk)

    assert stripe_connect.requests == []


def test_stripe_down_leaves_the_unit_approved_but_unprovisioned_with_the_reason(
    saleor, stripe_connect, stripe_unit
):
    SaleorInstallationFactory()
    stripe_connect.fail_next = 10

    unit = unit_provision(unit_id=stripe_unit.pk)

    assert unit.status == Unit.Status.ACTIVE
    assert unit.provisioning == Unit.Provisioning.FAILED
    assert unit.provisioning_error
