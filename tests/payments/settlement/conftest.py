"""Settlement fixtures: ledger postings with chosen dates, and a Stripe Connect double at the HTTP edge.

localstripe has no Connect (no accounts, no transfers), so POST /v1/transfers is served by the shared
HTTP double (tests/stripe_connect_double.py) that keeps Stripe's idempotency-key semantics.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from payments.ledger_services import payment_post, refund_post
from payments.split import SaleLine
from tests.payments.sales import agreement, sale
from tests.stripe_connect_double import ConnectDouble
from tests.unit_onboarding.factories import UnitFactory, UserFactory
from unit_onboarding.models import OperatingEntity


@pytest.fixture
def connect(settings):
    """The Connect double serving transfers, with the connected accounts the parties below use."""
    with ConnectDouble() as double:
        for account in ("acct_1A", "acct_museum"):
            double.account_add(account)
        settings.STRIPE_API_BASE = double.url
        settings.STRIPE_SECRET_KEY = "sk_test_connect_double"
        settings.STRIPE_MAX_NETWORK_RETRIES = 0
        yield double


def at(day: int, month: int = 11, hour: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def finance_users():
    return UserFactory(), UserFactory()


@pytest.fixture
def parties():
    """A unit paid by Stripe Connect (through its operating entity) and one paid by bank file."""
    stripe_unit = UnitFactory()
    stripe_entity = OperatingEntity.objects.create(
        unit=stripe_unit,
        legal_name="重庆文创有限公司",
        settlement_method="stripe",
        stripe_account_id="acct_1A",
    )
    bank_unit = UnitFactory()
    bank_entity = OperatingEntity.objects.create(
        unit=bank_unit, legal_name="某某图书馆", settlement_method="bank", bank_name="中国银行"
    )
    bank_entity.bank_account = "6217000012345678"
    bank_entity.save()
    return {
        "stripe_unit": stripe_unit,
        "stripe": stripe_entity.party_key,
        "bank_unit": bank_unit,
        "bank": bank_entity.party_key,
    }


def pay(order: str, party: str, amount: int, when: datetime, *, fee: int = 0) -> None:
    """A paid order: 90% to `party`, 10% to the platform, posted at `when`."""
    terms = agreement(
        version_id=f"agr:{party}:v1", shares=((party, "entity", 9000), ("platform", "platform", 1000))
    )
    payment_post(
        idempotency_key=f"payment:{order}",
        sale=sale(order_ref=order, lines=(SaleLine("L1", amount, terms, party),), fee=fee),
        posted_at=when,
    )


def refund(order: str, amount: int, when: datetime) -> None:
    refund_post(
        idempotency_key=f"refund:{order}:{when:%j%H}",
        order_ref=order,
        currency="CNY",
        amount=amount,
        posted_at=when,
    )
