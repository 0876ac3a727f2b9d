"""Existing data through the migrations: batches get the items their window held and the payee on record
as snapshot; agreement versions in force stay in force, marked approved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.payments.settlement.conftest import at, pay, refund
from tests.unit_onboarding.factories import OperatingEntityFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def _back_to_latest():
    """Leave the schema at the latest migrations."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.usefixtures("_back_to_latest")
def test_existing_batches_get_their_window_as_items_and_the_payee_on_record_as_snapshot():
    # given, before the migration, a bank-paid entity with sales, a refund that made a batch carry a debt,
    # and a batch that took the carried debt over (the old window rule)
    entity = OperatingEntityFactory(bank_name="中国银行")
    entity.bank_account = "6217000012345678"
    entity.save()
    party = entity.party_key
    actor = UserFactory()
    # (posted by today's code, so before going back: the split lines' columns have changed since)
    pay("o1", party, 10_000, at(2))
    refund("o1", 10_000, at(3, 12))
    pay("o2", party, 20_000, at(5, 1, year=2027))
    old = _migrate([("payments", "0007_platform_finance_group")])
    Batch = old.get_model("payments", "SettlementBatch")
    nov = Batch.objects.create(
        party=party, currency="CNY", period_start=at(1).date(), period_end=at(1, 12).date(),
        cutoff=at(24), window_total=9_000, amount=9_000, method="bank", status="executed",
        created_by_id=actor.pk, approved_by_id=UserFactory().pk, executed_by_id=actor.pk,
    )  # fmt: skip
    dec = Batch.objects.create(
        party=party, currency="CNY", period_start=at(1, 12).date(), period_end=at(1, 1, year=2027).date(),
        lines_from=nov.cutoff, cutoff=at(25, 12), window_total=-9_000, amount=-9_000, method="bank",
        status="carried", created_by_id=actor.pk,
    )  # fmt: skip
    jan = Batch.objects.create(
        party=party, currency="CNY", period_start=at(1, 1, year=2027).date(),
        period_end=at(1, 2, year=2027).date(), lines_from=dec.cutoff, cutoff=at(25, 1, year=2027),
        window_total=18_000, amount=9_000, method="bank", status="approved", created_by_id=actor.pk,
        approved_by_id=actor.pk,
    )  # fmt: skip

    # when the migration runs (and those after it, which only add workflow columns, so today's code reads it)
    _migrate([("payments", "0008_settlement_items_and_payee_snapshot")])
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    # then each batch holds the lines of its window, the January one also December's carried debt
    from payments.models import SettlementBatch
    from payments.settlement import selectors

    batches = {b.pk: b for b in SettlementBatch.objects.all()}
    assert [(ln["order_ref"], ln["net"]) for ln in selectors.batch_lines(batches[nov.pk])] == [("o1", 9_000)]
    assert [(ln["order_ref"], ln["net"]) for ln in selectors.batch_lines(batches[dec.pk])] == [("o1", -9_000)]
    assert [(c.carried_from_id, c.amount) for c in selectors.batch_carries(batches[jan.pk])] == [
        (dec.pk, -9_000)
    ]
    assert sum(i.amount for i in batches[jan.pk].items.all()) == batches[jan.pk].amount
    # and the open and executed batches pay the payee on record at the migration, not one changed later
    payee = selectors.batch_payee(batches[jan.pk])
    assert (payee.name, payee.bank_name, payee.bank_account) == (
        entity.legal_name,
        "中国银行",
        "6217000012345678",
    )
    assert not selectors.payee_changed(batches[jan.pk])
    # and what a batch pays is guarded from now on
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementBatch.objects.filter(pk=jan.pk).update(amount=1)


@pytest.mark.usefixtures("_back_to_latest")
def test_agreement_versions_in_force_before_the_migration_stay_in_force_marked_approved():
    # given a version in force and one scheduled, written before versions needed approval
    unit, actor = UnitFactory(), UserFactory()
    old = _migrate([("unit_onboarding", "0008_payee_changes")])
    since = datetime(2026, 1, 1, tzinfo=UTC)
    with transaction.atomic():  # the shares' sum is checked at commit
        agreement = old.get_model("unit_onboarding", "Agreement").objects.create(unit_id=unit.pk)
        Version = old.get_model("unit_onboarding", "AgreementVersion")
        Share = old.get_model("unit_onboarding", "AgreementShare")
        first = Version.objects.create(
            agreement=agreement, number=1, effective_from=since, created_by_id=actor.pk
        )
        Share.objects.create(version=first, role="unit", party_key=f"unit:{unit.uid}", bps=8000)
        Share.objects.create(version=first, role="platform", party_key="platform", bps=2000)

    # when the migration runs
    _migrate([("unit_onboarding", "0009_agreement_approval")])

    # then the version is approved (before reviews existed) and still in force, its terms guarded
    from unit_onboarding.models import AgreementShare, AgreementVersion
    from unit_onboarding.selectors import split_terms_in_force

    version = AgreementVersion.objects.get(pk=first.pk)
    assert (version.status, version.approved_before_review, version.decided_by) == ("approved", True, None)
    assert split_terms_in_force(unit, timezone.now()).version_id == first.pk
    assert split_terms_in_force(unit, since - timedelta(seconds=1)) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementShare.objects.filter(version=version, role="platform").update(bps=100)
    with pytest.raises(IntegrityError, match="set by the migration only"), transaction.atomic():
        AgreementVersion.objects.filter(pk=version.pk).update(approved_before_review=False)
