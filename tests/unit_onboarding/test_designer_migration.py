"""Designers already in the ledger's terms become registered designers when the registry is migrated in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.unit_onboarding.factories import UnitFactory, UserFactory

BEFORE = [("catalog", "0005_designer_royalty"), ("unit_onboarding", "0005_agreement_rules")]
AFTER = [("catalog", "0006_designer_royalty_registered"), ("unit_onboarding", "0006_designers")]


@pytest.fixture
def _back_to_latest():
    """Leave the schema at the latest migrations: later migrations (0007+) must not stay unapplied."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_back_to_latest")
def test_agreement_and_royalty_designers_are_registered_with_their_unit_keeping_the_party_keys():
    unit, actor = UnitFactory(), UserFactory()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    with transaction.atomic():  # the shares' sum is checked at commit
        agreement = old.get_model("unit_onboarding", "Agreement").objects.create(unit_id=unit.pk)
        version = old.get_model("unit_onboarding", "AgreementVersion").objects.create(
            agreement=agreement,
            number=1,
            effective_from=timezone.now() + timedelta(days=1),
            created_by_id=actor.pk,
        )
        Share = old.get_model("unit_onboarding", "AgreementShare")
        Share.objects.create(version=version, role="designer", party_key="designer:from-share", bps=500)
        Share.objects.create(version=version, role="unit", party_key=f"unit:{unit.uid}", bps=9500)
    listing = old.get_model("catalog", "Listing").objects.create(
        unit_id=unit.pk, name_zh="旧产品", category="wenchuang-stationery", product_type="wenchuang-goods"
    )
    old.get_model("catalog", "DesignerRoyalty").objects.create(
        listing=listing, designer_key="from-royalty", bps=300, effective_from=timezone.now()
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    from catalog.models import DesignerRoyalty
    from unit_onboarding.models import Designer

    # Only the columns 0006 made: later migrations add more (the account a registration is claimed by).
    at_0006 = ("slug", "unit", "name_zh", "settlement_method", "bank_name", "bank_account_encrypted")
    registered = {
        d.slug: (d.unit_id, d.name_zh, d.payout_ready)
        for d in Designer.objects.only(*at_0006, "stripe_account_id")
    }
    assert registered == {
        "from-share": (unit.pk, "from-share", False),  # no payout details: payouts wait for them
        "from-royalty": (unit.pk, "from-royalty", False),
    }
    assert DesignerRoyalty.objects.get().party_key == "designer:from-royalty"
