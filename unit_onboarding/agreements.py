"""Distribution agreements: add versions (never edit one in force) and read the terms in force."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from core import clock
from unit_onboarding.designers import designer_keys_check
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.models import Agreement, AgreementShare, AgreementVersion, Unit

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


def _period_check(
    latest: AgreementVersion | None, effective_from: datetime, effective_to: datetime | None, now: datetime
) -> None:
    if effective_to is not None and effective_to <= effective_from:
        raise OnboardingError(Code.PERIOD_EMPTY, "effective_to")
    if latest is None:
        return
    # Later versions only: history (and any version already in force) is never rewritten.
    if effective_from < now:
        raise OnboardingError(Code.PERIOD_IN_PAST, "effective_from")
    if effective_from <= latest.effective_from or (
        latest.effective_to is not None and effective_from < latest.effective_to
    ):
        raise OnboardingError(Code.PERIOD_OVERLAP, "effective_from", number=latest.number)
    if latest.effective_to is not None and effective_from > latest.effective_to:
        raise OnboardingError(
            Code.PERIOD_GAP, "effective_from", number=latest.number, end=latest.effective_to.isoformat()
        )


@transaction.atomic
def agreement_version_add(
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
) -> AgreementVersion:
    """Append a version that starts where the previous one ends; an open previous version is closed then."""
    shares_check(shares)
    designer_keys_check(
        unit=unit,
        party_keys=[
            s.party_key
            for s in shares
            if s.role == AgreementShare.Role.DESIGNER or s.party_key.startswith("designer:")
        ],
    )
    agreement, _ = Agreement.objects.get_or_create(unit=unit)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)  # serialise versioning per unit
    latest = agreement.versions.order_by("-number").first()
    _period_check(latest, effective_from, effective_to, clock.now())
    if latest is not None and latest.effective_to is None:
        latest.effective_to = effective_from
        latest.save(update_fields=["effective_to"])
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=(latest.number + 1) if latest else 1,
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
    return version


def default_party_keys(unit: Unit) -> dict[str, str]:
    """Party keys for the roles whose party follows from the unit; a designer needs its own key."""
    keys = {
        AgreementShare.Role.UNIT: unit.party_key,
        AgreementShare.Role.STAFF_POOL: f"staff_pool:{unit.uid}",
        AgreementShare.Role.PLATFORM: PLATFORM_PARTY,
    }
    entity = getattr(unit, "operating_entity", None)
    if entity is not None:
        keys[AgreementShare.Role.OPERATING_ENTITY] = entity.party_key
    return keys
