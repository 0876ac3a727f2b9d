"""Distribution agreements: shares sum to 10,000 bps, the platform's share is above policy's floor, a
version takes force only once platform finance (another person) approves it before its start, and history
is immutable (service and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from payments.models import FinanceAuditEvent
from unit_onboarding.agreements import (
    ShareTerm,
    SplitTerms,
    agreement_version_approve,
    agreement_version_propose,
    agreement_version_reject,
    agreement_version_withdraw,
    default_party_keys,
    split_terms,
)
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.models import Agreement, AgreementShare, AgreementVersion
from unit_onboarding.selectors import agreement_version_in_force, split_terms_in_force

from .factories import (
    DesignerFactory,
    OperatingEntityFactory,
    UserFactory,
    agreement_in_force,
    operator_of,
    platform_finance_user,
    reviewer,
)

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


def _db_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


def test_a_proposed_version_is_in_force_only_once_platform_finance_approves_it(unit, actor):
    # given a first version proposed by the unit's finance, starting yesterday
    start = timezone.now() - timedelta(days=1)
    version = agreement_version_propose(unit=unit, effective_from=start, shares=terms(unit), actor=actor)

    # then it is not in force: no sale is split by it
    assert version.status == "proposed"
    assert agreement_version_in_force(unit, timezone.now()) is None
    assert split_terms_in_force(unit, timezone.now()) is None

    # when platform finance approves it (a first version may start in the past: no history to rewrite)
    approved = agreement_version_approve(version_id=version.pk, actor=platform_finance_user())

    # then it is in force from its start and converts to split terms
    found = agreement_version_in_force(unit, timezone.now())
    assert found == approved and approved.status == "approved"
    result = split_terms(found)
    assert isinstance(result, SplitTerms)
    assert result.version_id == version.pk
    assert {(s.role, s.bps) for s in result.shares} == {
        ("unit", 5000),
        ("operating_entity", 3000),
        ("designer", 500),
        ("staff_pool", 500),
        ("platform", 1000),
    }
    assert agreement_version_in_force(unit, start - timedelta(seconds=1)) is None


def test_an_approved_new_version_closes_the_open_one_and_each_instant_has_one_version(unit, actor):
    first = agreement_in_force(unit, effective_from=timezone.now() - timedelta(days=30), shares=terms(unit))
    switch = timezone.now() + timedelta(days=1)

    second = agreement_version_propose(
        unit=unit, effective_from=switch, shares=terms(unit, unit_bps=4000, platform_bps=2000), actor=actor
    )
    first.refresh_from_db()
    assert first.effective_to is None  # a proposal changes nothing
    assert split_terms_in_force(unit, switch + timedelta(days=1)).version_id == first.pk
    agreement_version_approve(version_id=second.pk, actor=platform_finance_user())

    first.refresh_from_db()
    assert first.effective_to == switch
    assert agreement_version_in_force(unit, switch - timedelta(microseconds=1)) == first
    assert agreement_version_in_force(unit, switch).pk == second.pk
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
        agreement_version_propose(unit=unit, effective_from=timezone.now(), shares=shares, actor=actor)

    assert refused.value.code == code
    assert refused.value.field == "shares"
    assert AgreementVersion.objects.count() == 0


def test_the_platforms_share_below_policys_floor_is_refused_with_a_clear_message(unit, actor, settings):
    # given platform policy: at least 8% to the platform
    settings.PLATFORM_SHARE_MIN_BPS = 800
    low = terms(unit, unit_bps=5300, platform_bps=700)

    # when a version gives it 7%, then one gives it nothing
    with pytest.raises(OnboardingError) as refused:
        agreement_version_propose(unit=unit, effective_from=timezone.now(), shares=low, actor=actor)
    with translation.override("en"):
        message_en = refused.value.message
    with translation.override("zh-hans"):
        message_zh = refused.value.message
    with pytest.raises(OnboardingError) as nothing:
        agreement_version_propose(
            unit=unit,
            effective_from=timezone.now(),
            shares=terms(unit, unit_bps=6000, platform_bps=0),
            actor=actor,
        )

    # then both are refused, saying the floor and what was given, and nothing is saved
    assert refused.value.code == nothing.value.code == Code.PLATFORM_SHARE_BELOW_FLOOR
    assert refused.value.field == "platform_bps"
    assert message_en == (
        "Platform policy sets the platform's share at no less than 800 bps (8%);"
        " this version gives it 700 bps."
    )
    assert "800" in message_zh and "8%" in message_zh and "700" in message_zh
    assert not AgreementVersion.objects.exists()

    # and a version proposed at 8% is refused at approval once policy has raised the floor
    version = agreement_version_propose(
        unit=unit,
        effective_from=timezone.now(),
        shares=terms(unit, unit_bps=5200, platform_bps=800),
        actor=actor,
    )
    settings.PLATFORM_SHARE_MIN_BPS = 1000
    with pytest.raises(OnboardingError) as raised:
        agreement_version_approve(version_id=version.pk, actor=platform_finance_user())
    assert raised.value.code == Code.PLATFORM_SHARE_BELOW_FLOOR
    assert AgreementVersion.objects.get().status == "proposed"


def test_overlapping_gapped_and_backdated_versions_are_refused(unit, actor):
    now = timezone.now()
    agreement_in_force(unit, effective_from=now - timedelta(days=10), shares=terms(unit), proposer=actor)
    first = AgreementVersion.objects.get()
    AgreementVersion.objects.filter(pk=first.pk).update(effective_to=now + timedelta(days=10))

    cases = {
        Code.PERIOD_OVERLAP: now + timedelta(days=5),
        Code.PERIOD_GAP: now + timedelta(days=11),
        Code.PERIOD_IN_PAST: now - timedelta(days=1),
    }
    for code, start in cases.items():
        with pytest.raises(OnboardingError) as refused:
            agreement_version_propose(unit=unit, effective_from=start, shares=terms(unit), actor=actor)
        assert refused.value.code == code, start
    assert AgreementVersion.objects.count() == 1

    follow_on = agreement_version_propose(
        unit=unit, effective_from=now + timedelta(days=10), shares=terms(unit), actor=actor
    )
    assert follow_on.number == 2


@pytest.mark.parametrize("who", ["proposer", "unit_finance", "operator", "reviewer"])
def test_only_platform_finance_other_than_the_proposer_approves(unit, who):
    proposer = platform_finance_user()  # platform finance proposing still needs a second person
    version = agreement_version_propose(
        unit=unit, effective_from=timezone.now() + timedelta(days=1), shares=terms(unit), actor=proposer
    )
    actor = {
        "proposer": proposer,
        "unit_finance": operator_of(unit, role="finance"),
        "operator": operator_of(unit),
        "reviewer": reviewer(),
    }[who]

    with pytest.raises(OnboardingError) as refused:
        agreement_version_approve(version_id=version.pk, actor=actor)

    assert refused.value.code == (
        Code.AGREEMENT_FOUR_EYES if who == "proposer" else Code.AGREEMENT_APPROVE_NOT_ALLOWED
    )
    assert AgreementVersion.objects.get().status == "proposed"
    agreement_version_approve(version_id=version.pk, actor=platform_finance_user())
    assert AgreementVersion.objects.get().status == "approved"


def test_the_database_refuses_an_approval_by_the_proposer_whatever_the_code(unit, actor):
    version = agreement_version_propose(
        unit=unit, effective_from=timezone.now() + timedelta(days=1), shares=terms(unit), actor=actor
    )

    with pytest.raises(IntegrityError, match="agreement_version_four_eyes"), transaction.atomic():
        AgreementVersion.objects.filter(pk=version.pk).update(
            status="approved", decided_by=actor, decided_at=timezone.now()
        )
    with pytest.raises(IntegrityError, match="agreement_version_decided_by_someone"), transaction.atomic():
        AgreementVersion.objects.filter(pk=version.pk).update(status="approved")

    assert AgreementVersion.objects.get().status == "proposed"


def test_a_version_whose_start_passed_before_approval_is_refused_not_rewriting_history(
    unit, actor, time_machine
):
    # given terms in force, and a new version proposed to start tomorrow
    agreement_in_force(unit, effective_from=timezone.now() - timedelta(days=30), shares=terms(unit))
    start = timezone.now() + timedelta(days=1)
    version = agreement_version_propose(
        unit=unit, effective_from=start, shares=terms(unit, unit_bps=4000, platform_bps=2000), actor=actor
    )

    # when platform finance gets to it two days later
    time_machine.move_to(start + timedelta(days=1), tick=False)
    with pytest.raises(OnboardingError) as refused:
        agreement_version_approve(version_id=version.pk, actor=platform_finance_user())

    # then it is refused: sales since its start were split by the terms then in force
    assert refused.value.code == Code.AGREEMENT_START_PASSED
    with translation.override("en"):
        assert "which has passed" in refused.value.message
    assert AgreementVersion.objects.get(pk=version.pk).status == "proposed"
    assert split_terms_in_force(unit, timezone.now()).version_id != version.pk
    agreement_version_reject(version_id=version.pk, actor=platform_finance_user(), note="too late")
    assert AgreementVersion.objects.get(pk=version.pk).status == "rejected"


def test_the_database_refuses_to_approve_a_later_version_whose_start_has_passed(unit, actor):
    # given terms in force, and a later version put in as proposed past the service, starting an hour ago
    agreement_in_force(unit, effective_from=_db_now() - timedelta(days=30), shares=terms(unit))
    with transaction.atomic():
        version = AgreementVersion.objects.create(
            agreement=Agreement.objects.get(unit=unit),
            number=2,
            effective_from=_db_now() - timedelta(hours=1),
            created_by=actor,
        )
        AgreementShare.objects.create(version=version, role="platform", party_key="platform", bps=10_000)

    with pytest.raises(IntegrityError, match="which has passed"), transaction.atomic():
        AgreementVersion.objects.filter(pk=version.pk).update(
            status="approved", decided_by=platform_finance_user(), decided_at=timezone.now()
        )


def test_a_second_proposal_waits_and_a_withdrawn_or_rejected_one_is_never_in_force(unit, actor):
    version = agreement_version_propose(
        unit=unit, effective_from=timezone.now() - timedelta(days=1), shares=terms(unit), actor=actor
    )
    with pytest.raises(OnboardingError) as pending:
        agreement_version_propose(unit=unit, effective_from=timezone.now(), shares=terms(unit), actor=actor)
    assert pending.value.code == Code.AGREEMENT_PROPOSAL_PENDING

    agreement_version_withdraw(version_id=version.pk, actor=actor)
    again = agreement_version_propose(
        unit=unit, effective_from=timezone.now() - timedelta(days=1), shares=terms(unit), actor=actor
    )
    agreement_version_reject(version_id=again.pk, actor=platform_finance_user(), note="shares")
    with pytest.raises(OnboardingError) as decided:
        agreement_version_approve(version_id=again.pk, actor=platform_finance_user())

    assert decided.value.code == Code.AGREEMENT_NOT_PROPOSED
    assert (version.number, again.number) == (1, 2)
    assert list(AgreementVersion.objects.order_by("number").values_list("status", flat=True)) == [
        "withdrawn",
        "rejected",
    ]
    assert agreement_version_in_force(unit, timezone.now()) is None


def test_every_step_is_in_the_audit_trail_with_the_terms_before_and_after(unit, actor):
    first = agreement_in_force(unit, effective_from=timezone.now() - timedelta(days=30), shares=terms(unit))
    version = agreement_version_propose(
        unit=unit,
        effective_from=timezone.now() + timedelta(days=1),
        shares=terms(unit, unit_bps=4000, platform_bps=2000),
        actor=actor,
    )
    approver = platform_finance_user()
    agreement_version_approve(version_id=version.pk, actor=approver, note="ok")

    events = FinanceAuditEvent.objects.filter(subject=f"agreement_version:{version.pk}").order_by("id")
    assert [(e.action, e.actor) for e in events] == [
        ("agreement.proposed", actor),
        ("agreement.approved", approver),
    ]
    approved = events.last()
    assert approved.party == unit.party_key
    assert (approved.detail["before"]["version"], approved.detail["after"]["version"]) == (first.number, 2)
    assert (
        approved.detail["before"]["shares"]["platform"],
        approved.detail["after"]["shares"]["platform"],
    ) == (
        1000,
        2000,
    )
    assert approved.detail["proposed_by"] == str(actor) and approved.detail["note"] == "ok"


@pytest.mark.django_db(transaction=True)  # the check is deferred to the real commit
def test_the_database_refuses_shares_not_summing_to_10000_at_commit(unit, actor):
    other = Agreement.objects.create(unit=OperatingEntityFactory().unit)
    with pytest.raises(IntegrityError, match="sum to 0"), transaction.atomic():
        AgreementVersion.objects.create(
            agreement=other, number=1, effective_from=timezone.now(), created_by=actor
        )
    with pytest.raises(IntegrityError, match="sum to 9000"), transaction.atomic():
        version = AgreementVersion.objects.create(
            agreement=other, number=1, effective_from=timezone.now(), created_by=actor
        )
        AgreementShare.objects.create(version=version, role="platform", party_key="platform", bps=9000)

    assert AgreementVersion.objects.count() == 0


def test_the_database_refuses_any_change_to_shares_and_approved_terms(unit, actor):
    # the guard reads PostgreSQL's own clock, whatever the service's clock says
    db_now = _db_now()
    version = agreement_in_force(unit, effective_from=db_now - timedelta(days=1), shares=terms(unit))
    proposal = agreement_version_propose(
        unit=unit, effective_from=timezone.now() + timedelta(days=3), shares=terms(unit), actor=actor
    )
    share = version.shares.get(role="platform")

    attempts = [
        lambda: AgreementShare.objects.filter(pk=share.pk).update(bps=2000),
        lambda: AgreementShare.objects.filter(pk=share.pk).delete(),
        lambda: AgreementShare.objects.filter(version=proposal, role="platform").update(bps=500),
        lambda: AgreementShare.objects.create(
            version=version, role="designer", party_key="designer:x", bps=1
        ),
        lambda: AgreementVersion.objects.filter(pk=version.pk).update(
            effective_from=db_now - timedelta(days=2)
        ),
        lambda: AgreementVersion.objects.filter(pk=version.pk).update(
            effective_to=db_now - timedelta(hours=1)  # closing it in the past would rewrite history
        ),
        lambda: AgreementVersion.objects.filter(pk=version.pk).update(status="rejected"),
        lambda: AgreementVersion.objects.filter(pk=version.pk).delete(),
        lambda: AgreementVersion.objects.filter(pk=proposal.pk).update(fee_rule="platform"),
        lambda: AgreementVersion.objects.filter(pk=proposal.pk).delete(),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()

    version.refresh_from_db()
    assert version.effective_to is None and version.status == "approved"
    assert version.shares.get(role="platform").bps == 1000
    assert sum(s.bps for s in proposal.shares.all()) == 10_000


def test_the_database_refuses_overlapping_approved_periods_even_past_the_service(unit, actor):
    version = agreement_in_force(
        unit, effective_from=timezone.now() + timedelta(days=1), shares=terms(unit), proposer=actor
    )

    with pytest.raises(IntegrityError, match="agreement_version_no_overlap"), transaction.atomic():
        later = AgreementVersion.objects.create(
            agreement=version.agreement,
            number=2,
            effective_from=version.effective_from + timedelta(days=1),
            created_by=actor,
        )
        AgreementShare.objects.create(version=later, role="platform", party_key="platform", bps=10_000)
        AgreementVersion.objects.filter(pk=later.pk).update(
            status="approved", decided_by=platform_finance_user(), decided_at=timezone.now()
        )
