"""Distribution agreements: shares sum to 10,000 bps, versions chain without gaps, history is immutable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from unit_onboarding.agreements import (
    ShareTerm,
    SplitTerms,
    agreement_version_add,
    default_party_keys,
    split_terms,
)
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.models import Agreement, AgreementShare, AgreementVersion
from unit_onboarding.selectors import agreement_version_in_force, split_terms_in_force

from .factories import DesignerFactory, OperatingEntityFactory, UserFactory

pytestmark = pytest.mark.django_db


def terms(unit, unit_bps=5000, entity_bps=3000, designer_bps=500, pool_bps=500, platform_bps=1000):
    keys = default_party_keys(unit)
    rows = [
        ShareTerm(keys["unit"], "unit", unit_bps),
        ShareTerm(keys["operating_entity"], "operating_entity", entity_bps),
        ShareTerm("designer:li-wei", "designer", designer_bps),
        ShareTerm(keys["staff_pool"], "staff_pool", pool_bps),
        ShareTerm(keys["platform"], "platform", platform_bps),
    ]
    return [r for r in rows if r.bps]


@pytest.fixture
def unit():
    unit = OperatingEntityFactory().unit
    DesignerFactory(unit=unit, slug="li-wei")
    return unit


@pytest.fixture
def actor():
    return UserFactory()


def test_first_version_is_in_force_and_converts_to_split_terms(unit, actor):
    start = timezone.now() - timedelta(days=1)

    version = agreement_version_add(unit=unit, effective_from=start, shares=terms(unit), actor=actor)

    found = agreement_version_in_force(unit, timezone.now())
    assert found == version
    result = split_terms(found)
    assert isinstance(result, SplitTerms)
    assert result.version_id == version.pk
    assert sum(s.bps for s in result.shares) == 10_000
    assert {(s.role, s.bps) for s in result.shares} == {
        ("unit", 5000),
        ("operating_entity", 3000),
        ("designer", 500),
        ("staff_pool", 500),
        ("platform", 1000),
    }
    assert (f"unit:{unit.uid}", "unit", 5000) in [(s.party_key, s.role, s.bps) for s in result.shares]
    assert agreement_version_in_force(unit, start - timedelta(seconds=1)) is None


def test_a_new_version_closes_the_open_one_and_each_instant_has_one_version(unit, actor):
    first = agreement_version_add(
        unit=unit, effective_from=timezone.now() - timedelta(days=30), shares=terms(unit), actor=actor
    )
    switch = timezone.now() + timedelta(days=1)

    second = agreement_version_add(
        unit=unit, effective_from=switch, shares=terms(unit, unit_bps=4000, platform_bps=2000), actor=actor
    )

    first.refresh_from_db()
    assert first.effective_to == switch
    assert agreement_version_in_force(unit, switch - timedelta(microseconds=1)) == first
    assert agreement_version_in_force(unit, switch) == second
    later = split_terms_in_force(unit, switch + timedelta(days=400))
    assert later.version_id == second.pk
    assert {s.role: s.bps for s in later.shares}["platform"] == 2000


@pytest.mark.parametrize(
    ("shares", "code"),
    [
        ([ShareTerm("platform", "platform", 9999)], Code.SHARES_SUM),
        ([ShareTerm("platform", "platform", 6000), ShareTerm("x", "designer", 4001)], Code.SHARES_SUM),
        (
            [ShareTerm("platform", "platform", 5000), ShareTerm("platform", "platform", 5000)],
            Code.SHARES_DUPLICATE_PARTY,
        ),
        ([ShareTerm("platform", "platform", 10_000), ShareTerm("x", "designer", 0)], Code.SHARE_NOT_POSITIVE),
    ],
)
def test_bad_shares_are_refused_and_nothing_is_saved(unit, actor, shares, code):
    with pytest.raises(OnboardingError) as refused:
        agreement_version_add(unit=unit, effective_from=timezone.now(), shares=shares, actor=actor)

    assert refused.value.code == code
    assert refused.value.field == "shares"
    assert AgreementVersion.objects.count() == 0


def test_overlapping_gapped_and_backdated_versions_are_refused(unit, actor):
    now = timezone.now()
    agreement_version_add(
        unit=unit,
        effective_from=now - timedelta(days=10),
        effective_to=now + timedelta(days=10),
        shares=terms(unit),
        actor=actor,
    )

    cases = {
        Code.PERIOD_OVERLAP: now + timedelta(days=5),
        Code.PERIOD_GAP: now + timedelta(days=11),
        Code.PERIOD_IN_PAST: now - timedelta(days=1),
    }
    for code, start in cases.items():
        with pytest.raises(OnboardingError) as refused:
            agreement_version_add(unit=unit, effective_from=start, shares=terms(unit), actor=actor)
        assert refused.value.code == code, start
    assert AgreementVersion.objects.count() == 1

    follow_on = agreement_version_add(
        unit=unit, effective_from=now + timedelta(days=10), shares=terms(unit), actor=actor
    )
    assert follow_on.number == 2


@pytest.mark.django_db(transaction=True)  # the check is deferred to the real commit
def test_the_database_refuses_shares_not_summing_to_10000_at_commit(unit, actor):
    version = agreement_version_add(
        unit=unit, effective_from=timezone.now() + timedelta(days=1), shares=terms(unit), actor=actor
    )

    with pytest.raises(IntegrityError, match="sum to 9000"), transaction.atomic():
        AgreementShare.objects.filter(version=version, role="platform").delete()
        # Within the transaction the sum may be wrong for a moment; the commit refuses it.

    other = Agreement.objects.create(unit=OperatingEntityFactory().unit)
    with pytest.raises(IntegrityError, match="sum to 0"), transaction.atomic():
        AgreementVersion.objects.create(
            agreement=other, number=1, effective_from=timezone.now(), created_by=actor
        )

    assert AgreementShare.objects.filter(version=version).count() == 5
    assert AgreementVersion.objects.count() == 1


def test_the_database_refuses_any_change_to_a_version_in_force(unit, actor):
    # the guard reads PostgreSQL's own clock, whatever the service's clock says
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        (db_now,) = cursor.fetchone()
    version = agreement_version_add(
        unit=unit, effective_from=db_now - timedelta(days=1), shares=terms(unit), actor=actor
    )
    share = version.shares.get(role="platform")

    attempts = [
        lambda: AgreementShare.objects.filter(pk=share.pk).update(bps=2000),
        lambda: AgreementShare.objects.filter(pk=share.pk).delete(),
        lambda: AgreementVersion.objects.filter(pk=version.pk).update(
            effective_from=db_now - timedelta(days=2)
        ),
        lambda: AgreementVersion.objects.filter(pk=version.pk).update(
            effective_to=db_now - timedelta(hours=1)  # closing it in the past would rewrite history
        ),
        lambda: AgreementVersion.objects.filter(pk=version.pk).delete(),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError, match="in force"), transaction.atomic():
            attempt()

    version.refresh_from_db()
    assert version.effective_to is None
    assert version.shares.get(role="platform").bps == 1000


def test_a_version_not_yet_in_force_may_still_be_replaced(unit, actor):
    version = agreement_version_add(
        unit=unit, effective_from=timezone.now() + timedelta(days=3), shares=terms(unit), actor=actor
    )

    with transaction.atomic():
        AgreementShare.objects.filter(version=version, role="platform").update(bps=500)
        AgreementShare.objects.filter(version=version, role="unit").update(bps=5500)

    assert sum(s.bps for s in version.shares.all()) == 10_000


def test_the_database_refuses_overlapping_periods_even_past_the_service(unit, actor):
    version = agreement_version_add(
        unit=unit, effective_from=timezone.now() + timedelta(days=1), shares=terms(unit), actor=actor
    )

    with pytest.raises(IntegrityError, match="agreement_version_no_overlap"), transaction.atomic():
        AgreementVersion.objects.create(
            agreement=version.agreement,
            number=2,
            effective_from=version.effective_from + timedelta(days=1),
            created_by=actor,
        )
