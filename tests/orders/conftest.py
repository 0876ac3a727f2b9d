"""Units with warehouses and agreements in force, and a way to push deliveries through the inbox."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from django.db import transaction

from orders.models import Order
from saleor_app import services
from saleor_app.models import WebhookEvent
from tests.factories import SaleorInstallationFactory
from tests.live_saleor import StaffSession
from tests.saleor_app.test_live_saleor import installed_app, staff  # noqa: F401 (live fixtures, shared)
from tests.unit_onboarding.factories import OperatingEntityFactory, agreement_in_force
from unit_onboarding.agreements import ShareTerm
from unit_onboarding.models import Unit

from . import live_order
from .payloads import two_unit_order

SINCE = datetime.fromisoformat("2026-01-01T00:00:00+00:00")


def unit_under(name: str, warehouse_id: str, shares_of, *, effective_from: datetime = SINCE, **rules) -> Unit:
    """An active unit on the Saleor warehouse, under an agreement in force from `effective_from` with the
    shares `shares_of(unit)` and the `rules` given (else the defaults)."""
    unit = OperatingEntityFactory(
        unit__status=Unit.Status.ACTIVE, unit__display_name=name, unit__saleor_warehouse_id=warehouse_id
    ).unit
    agreement_in_force(unit, effective_from=effective_from, shares=shares_of(unit), **rules)
    return unit


def unit_with_agreement(n: int, *, effective_from: datetime = SINCE) -> Unit:
    """Museum `n`: unit 60 %, operating entity 25 %, staff pool 5 %, platform 10 %."""
    return unit_under(
        f"Museum {n}",
        f"V2FyZWhvdXNlOj{n}",
        lambda unit: [
            ShareTerm(unit.party_key, "unit", 6000),
            ShareTerm(unit.operating_entity.party_key, "operating_entity", 2500),
            ShareTerm(f"staff_pool:{unit.uid}", "staff_pool", 500),
            ShareTerm("platform", "platform", 1000),
        ],
        effective_from=effective_from,
    )


@pytest.fixture
def units():
    return [unit_with_agreement(1), unit_with_agreement(2)]


@pytest.fixture
def app(saleor_api_url):
    """Live Saleor: a throw-away payment app owning the order's transaction (removed afterwards)."""
    with live_order.payment_app(StaffSession(saleor_api_url)) as payment_app:
        yield payment_app


@pytest.fixture
def deliver():
    """Store a delivery in the inbox like the webhook view does, process it once; return the event."""
    installation = SaleorInstallationFactory()

    def _deliver(event_type: str, payload: dict, *, process: bool = True) -> WebhookEvent:
        body = json.dumps(payload, ensure_ascii=False).encode()
        with transaction.atomic():
            event_id = services.inbox_store(
                installation=installation, event_type=event_type, body=body, signature="test"
            )
        if event_id is None:  # the same body again: the stored event
            return WebhookEvent.objects.get(key=services.event_key(body))
        if process:
            services.inbox_process(event_id=event_id)
        return WebhookEvent.objects.get(pk=event_id)

    return _deliver


@pytest.fixture
def shared_order(units, deliver):
    """An order with lines of both units, as Saleor's ORDER_CREATED projected it."""
    deliver("order_created", two_unit_order(units).payload())
    return Order.objects.get(saleor_id="order-1")
