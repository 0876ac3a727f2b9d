"""Distribution agreements: versions are proposed, approved by platform finance (four eyes), never edited.

Every step (propose, approve, reject, withdraw) is in the finance audit trail with the terms before (the
latest approved version) and after. The platform's share is never below platform policy's floor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from core import clock
from core.audit import audit_record
from core.errors import refuse_same_person
from core.party import DESIGNER, Party
from unit_onboarding.designers import designer_keys_check
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.models import Agreement, AgreementShare, AgreementVersion, Unit
from unit_onboarding.permissions import can_change_agreement, is_platform_finance

S = AgreementVersion.Status

TOTAL_BPS = 10_000
PLATFORM_PARTY = "platform"


@dataclass(frozen=True)
class ShareTerm:
    party_key: str
    role: str
    bps: int


@dataclass(frozen=True)
class SplitTerms:
    """What the split engine freezes onto a sale: the version, its shares (sum 10,000 bps) and its rules."""

    version_id: int
    shares: tuple[ShareTerm, ...]
    fee_rule: str = AgreementVersion.FeeRule.PRO_RATA
    tax_rule: str = AgreementVersion.TaxRule.SELLER_OF_RECORD
    shipping_rule: str = AgreementVersion.ShippingRule.SHIPPING_UNIT


def split_terms(version: AgreementVersion) -> SplitTerms:
    """Plain, ordered terms of one version, independent of the ORM."""
    shares = sorted(version.shares.all(), key=lambda s: s.party_key)
    return SplitTerms(
        version.pk,
        tuple(ShareTerm(s.party_key, s.role, s.bps) for s in shares),
        fee_rule=version.fee_rule,
        tax_rule=version.tax_rule,
        shipping_rule=version.shipping_rule,
    )


def shares_check(shares: Sequence[ShareTerm]) -> None:
    """Refuse shares that are not each in 1..10,000 bps, duplicate a party, or miss 10,000 in total."""
    if any(not 0 < s.bps <= TOTAL_BPS for s in shares):
        raise OnboardingError(Code.SHARE_NOT_POSITIVE, "shares")
    keys = [s.party_key for s in shares]
    if len(set(keys)) != len(keys):
        raise OnboardingError(Code.SHARES_DUPLICATE_PARTY, "shares")
    total = sum(s.bps for s in shares)
    if total != TOTAL_BPS:
        raise OnboardingError(Code.SHARES_SUM, "shares", total=f"{total:,}")


def platform_floor_check(shares: Sequence[ShareTerm]) -> None:
    """Refuse terms giving the platform less than platform policy's floor (PLATFORM_SHARE_MIN_BPS)."""
    floor = settings.PLATFORM_SHARE_MIN_BPS
    platform = sum(s.bps for s in shares if s.party_key == PLATFORM_PARTY)
    if platform < floor:
        raise OnboardingError(
            Code.PLATFORM_SHARE_BELOW_FLOOR,
            "platform_bps",
            floor=f"{floor:,}",
            percent=f"{floor / 100:g}",
            given=f"{platform:,}",
        )


def _period_check(
    latest: AgreementVersion | None, effective_from: datetime, effective_to: datetime | None, now: datetime
) -> None:
    """Check a version's period against the latest approved one: later versions only, no gap, no overlap."""
    if effective_to is not None and effective_to <= effective_from:
        raise OnboardingError(Code.PERIOD_EMPTY, "effective_to")
    if latest is None:
        return  # the first version may start in the past: no sale of the unit has terms to rewrite
    # Later versions only, starting in the future: history (and any version in force) is never rewritten.
    if effective_from <= now:
        raise OnboardingError(Code.PERIOD_IN_PAST, "effective_from")
    if effective_from <= latest.effective_from or (
        latest.effective_to is not None and effective_from < latest.effective_to
    ):
        raise OnboardingError(Code.PERIOD_OVERLAP, "effective_from", number=latest.number)
    if latest.effective_to is not None and effective_from > latest.effective_to:
        raise OnboardingError(
            Code.PERIOD_GAP, "effective_from", number=latest.number, end=latest.effective_to.isoformat()
        )


def _latest_approved(agreement: Agreement) -> AgreementVersion | None:
    return agreement.versions.filter(status=S.APPROVED).order_by("-effective_from").first()


def terms_summary(version: AgreementVersion | None) -> dict:
    """A version's terms as the audit trail records them (before/after)."""
    if version is None:
        return {}
    return {
        "version": version.number,
        "effective_from": clock.local(version.effective_from).isoformat(),
        "effective_to": clock.local(version.effective_to).isoformat() if version.effective_to else None,
        "shares": {s.party_key: s.bps for s in version.shares.all()},
        "fee_rule": version.fee_rule,
        "tax_rule": version.tax_rule,
        "shipping_rule": version.shipping_rule,
    }


def _audit(version: AgreementVersion, *, actor, action: str, before: AgreementVersion | None) -> None:
    audit_record(
        actor=actor,
        action=action,
        subject=f"agreement_version:{version.pk}",
        party=version.agreement.unit.party_key,
        unit=str(version.agreement.unit.uid),
        number=version.number,
        proposed_by=str(version.created_by),
        before=terms_summary(before),
        after=terms_summary(version),
        note=version.decision_note,
    )


@transaction.atomic
def agreement_version_propose(
    *,
    unit: Unit,
    effective_from: datetime,
    effective_to: datetime | None = None,
    shares: Sequence[ShareTerm],
    actor: AbstractBaseUser,
    note: str = "",
    fee_rule: str = AgreementVersion.FeeRule.PRO_RATA,
    tax_rule: str = AgreementVersion.TaxRule.SELLER_OF_RECORD,
    shipping_rule: str = AgreementVersion.ShippingRule.SHIPPING_UNIT,
    now: datetime | None = None,
) -> AgreementVersion:
    """Propose a version that starts where the approved ones end; it is in force only once platform
    finance (someone other than `actor`) approves it."""
    shares_check(shares)
    platform_floor_check(shares)
    designer_keys_check(
        unit=unit,
        party_keys=[
            s.party_key
            for s in shares
            if s.role == AgreementShare.Role.DESIGNER or Party.parse(s.party_key).kind == DESIGNER
        ],
    )
    agreement, _ = Agreement.objects.get_or_create(unit=unit)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)  # serialise versioning per unit
    if agreement.versions.filter(status=S.PROPOSED).exists():
        raise OnboardingError(Code.AGREEMENT_PROPOSAL_PENDING)
    _period_check(_latest_approved(agreement), effective_from, effective_to, now or clock.now())
    last_number = agreement.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=last_number + 1,
        effective_from=effective_from,
        effective_to=effective_to,
        fee_rule=fee_rule,
        tax_rule=tax_rule,
        shipping_rule=shipping_rule,
        note=note,
        created_by=actor,
    )
    AgreementShare.objects.bulk_create(
        AgreementShare(version=version, role=s.role, party_key=s.party_key, bps=s.bps) for s in shares
    )
    _audit(version, actor=actor, action="agreement.proposed", before=_latest_approved(agreement))
    return version


def _decidable(version_id: int) -> tuple[Agreement, AgreementVersion]:
    """The proposed version and its agreement, locked in the order versioning takes them."""
    agreement_id = AgreementVersion.objects.values_list("agreement_id", flat=True).get(pk=version_id)
    agreement = Agreement.objects.select_for_update().select_related("unit").get(pk=agreement_id)
    version = AgreementVersion.objects.select_for_update().get(pk=version_id)
    if version.status != S.PROPOSED:
        raise OnboardingError(Code.AGREEMENT_NOT_PROPOSED)
    return agreement, version


@transaction.atomic
def agreement_version_approve(
    *, version_id: int, actor: AbstractBaseUser, note: str = "", now: datetime | None = None
) -> AgreementVersion:
    """Platform finance, not the proposer, puts a proposed version in force from its start.

    Refused when its start has passed (unless it is the first version), when an approval since its
    proposal left it overlapping or apart from the terms in force, or below the platform's floor.
    """
    now = now or clock.now()
    agreement, version = _decidable(version_id)
    if not is_platform_finance(actor):
        raise OnboardingError(Code.AGREEMENT_APPROVE_NOT_ALLOWED)
    refuse_same_person(actor, version.created_by_id, OnboardingError, Code.AGREEMENT_FOUR_EYES)
    latest = _latest_approved(agreement)
    if latest is not None and version.effective_from <= now:
        raise OnboardingError(
            Code.AGREEMENT_START_PASSED, start=clock.local(version.effective_from).strftime("%Y-%m-%d %H:%M")
        )
    _period_check(latest, version.effective_from, version.effective_to, now)
    platform_floor_check(split_terms(version).shares)
    if latest is not None and latest.effective_to is None:
        latest.effective_to = version.effective_from
        latest.save(update_fields=["effective_to"])
    version.decision_note = note
    version.record_decision(S.APPROVED, actor, now=now, also=("decision_note",))
    _audit(version, actor=actor, action="agreement.approved", before=latest)
    return version


@transaction.atomic
def agreement_version_reject(
    *, version_id: int, actor: AbstractBaseUser, note: str = "", now: datetime | None = None
) -> AgreementVersion:
    """Platform finance refuses a proposed version; the terms in force stay as they are."""
    agreement, version = _decidable(version_id)
    if not is_platform_finance(actor):
        raise OnboardingError(Code.AGREEMENT_APPROVE_NOT_ALLOWED)
    return _close(version, S.REJECTED, actor=actor, note=note, now=now, before=_latest_approved(agreement))


@transaction.atomic
def agreement_version_withdraw(
    *, version_id: int, actor: AbstractBaseUser, now: datetime | None = None
) -> AgreementVersion:
    """The proposer, or whoever may propose the unit's terms, takes a proposal back."""
    agreement, version = _decidable(version_id)
    if version.created_by_id != actor.pk and not can_change_agreement(actor, agreement.unit):
        raise OnboardingError(Code.AGREEMENT_WITHDRAW_NOT_ALLOWED)
    return _close(version, S.WITHDRAWN, actor=actor, note="", now=now, before=_latest_approved(agreement))


def _close(version, status, *, actor, note, now, before) -> AgreementVersion:
    version.decision_note = note
    version.record_decision(status, actor, now=now, also=("decision_note",))
    _audit(version, actor=actor, action=f"agreement.{status}", before=before)
    return version


def default_party_keys(unit: Unit) -> dict[str, str]:
    """Party keys for the roles whose party follows from the unit; a designer needs its own key."""
    keys = {
        AgreementShare.Role.UNIT: unit.party_key,
        AgreementShare.Role.STAFF_POOL: Party.staff_pool(unit.uid).key,
        AgreementShare.Role.PLATFORM: PLATFORM_PARTY,
    }
    entity = getattr(unit, "operating_entity", None)
    if entity is not None:
        keys[AgreementShare.Role.OPERATING_ENTITY] = entity.party_key
    return keys
