"""Changing who funds a discount: proposed by platform finance, approved by another member, audited.

Like agreement versions (unit_onboarding.agreements), a version is never edited and applies only to
orders paid after its approval; like payee changes, an approval made against terms that changed since
the proposal is refused as stale.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.audit import audit_record
from core.errors import refuse_same_person
from core.finance import is_platform_finance
from payments.error_codes import FundingError
from payments.error_codes import FundingErrorCode as Code
from payments.funding.models import DiscountFunding, DiscountFundingVersion
from payments.split import BPS_TOTAL

Funder = DiscountFundingVersion.Funder
S = DiscountFundingVersion.Status


def funder_bps(funder: str, platform_bps: int | None) -> int:
    """The platform's part in bps that a funder choice means; BAD_TERMS when they do not fit."""
    if funder == Funder.PLATFORM:
        return BPS_TOTAL
    if funder == Funder.UNIT:
        return 0
    if funder == Funder.SPLIT and platform_bps is not None and 0 < platform_bps < BPS_TOTAL:
        return platform_bps
    raise FundingError(
        Code.BAD_TERMS,
        _(
            "Choose who funds the discount: the platform, the unit, or a split "
            "(1 to 9,999 bps to the platform)."
        ),
    )


def _in_force(funding: DiscountFunding) -> DiscountFundingVersion | None:
    return funding.versions.filter(status=S.APPROVED).order_by("-number").first()


def _summary(version: DiscountFundingVersion | None) -> dict:
    if version is None:
        return {}
    return {"version": version.number, "funder": version.funder, "platform_bps": version.platform_bps}


def _audit(version: DiscountFundingVersion, *, actor, action: str, before) -> None:
    audit_record(
        actor=actor,
        action=action,
        subject=version.ref,
        party="platform",
        key=version.funding.key,
        number=version.number,
        proposed_by=str(version.proposed_by),
        before=_summary(before),
        after=_summary(version),
        note=version.note,
    )


@transaction.atomic
def funding_propose(
    *,
    key: str,
    funder: str,
    actor: AbstractBaseUser,
    platform_bps: int | None = None,
    name: str = "",
    note: str = "",
    now: datetime | None = None,
) -> DiscountFundingVersion:
    """Propose who funds the discount `key` (promotion/voucher ID or voucher code) from approval on."""
    if not is_platform_finance(actor):
        raise FundingError(Code.NOT_ALLOWED, _("Only platform finance decides who funds a discount."))
    key = key.strip()
    if not key:
        raise FundingError(Code.BAD_TERMS, _("Give the Saleor promotion ID, or the voucher code."))
    bps = funder_bps(funder, platform_bps)
    funding, _created = DiscountFunding.objects.get_or_create(key=key, defaults={"name": name[:200]})
    funding = DiscountFunding.objects.select_for_update().get(pk=funding.pk)  # serialise its versions
    current = _in_force(funding)
    last = funding.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = DiscountFundingVersion.objects.create(
        funding=funding,
        number=last + 1,
        funder=funder,
        platform_bps=bps,
        base_number=current.number if current else 0,
        note=note,
        proposed_by=actor,
        proposed_at=now or clock.now(),
    )
    _audit(version, actor=actor, action="discount_funding.proposed", before=current)
    return version


def _decidable(version_id: int, actor) -> tuple[DiscountFundingVersion, DiscountFundingVersion | None]:
    """The proposal and the version in force, locked in the order proposing takes them."""
    funding_id = DiscountFundingVersion.objects.values_list("funding_id", flat=True).get(pk=version_id)
    funding = DiscountFunding.objects.select_for_update().get(pk=funding_id)
    version = DiscountFundingVersion.objects.select_for_update().get(pk=version_id)
    if version.status != S.PROPOSED:
        raise FundingError(Code.NOT_PROPOSED, _("This proposal was already decided."))
    if not is_platform_finance(actor):
        raise FundingError(Code.NOT_ALLOWED, _("Only platform finance decides who funds a discount."))
    return version, _in_force(funding)


@transaction.atomic
def funding_approve(
    *, version_id: int, actor: AbstractBaseUser, now: datetime | None = None
) -> DiscountFundingVersion:
    """Another member of platform finance puts the proposal in force for orders paid from now on;
    refused when the terms in force are no longer those it was proposed against."""
    version, current = _decidable(version_id, actor)
    refuse_same_person(
        actor,
        version.proposed_by_id,
        FundingError,
        Code.FOUR_EYES,
        _("You proposed this change: another member of platform finance approves it."),
    )
    if current is not None and current.number != version.base_number:
        raise FundingError(
            Code.STALE,
            _("%(key)s changed since this proposal (version %(number)s was approved): propose again.")
            % {"key": version.funding.key, "number": current.number},
        )
    version.effective_from = now or clock.now()
    version.record_decision(S.APPROVED, actor, now=version.effective_from, also=("effective_from",))
    _audit(version, actor=actor, action="discount_funding.approved", before=current)
    return version


@transaction.atomic
def funding_reject(
    *, version_id: int, actor: AbstractBaseUser, note: str = "", now: datetime | None = None
) -> DiscountFundingVersion:
    """Platform finance refuses the proposal; the terms in force stay."""
    version, current = _decidable(version_id, actor)
    version.note = "\n".join(filter(None, [version.note, note]))
    version.record_decision(S.REJECTED, actor, now=now, also=("note",))
    _audit(version, actor=actor, action="discount_funding.rejected", before=current)
    return version


@transaction.atomic
def funding_record_unit(
    *, key: str, name: str, proposed_by, approved_by, subject: str, now: datetime | None = None
) -> DiscountFundingVersion:
    """A unit's own promotion or voucher, created in Saleor after its finance member approved it: recorded as
    funded by the unit (in force from `now`), with the unit's proposer and approver as its two people (the
    database's four-eyes check holds). Refused when the key already has a rule: a unit never takes over a
    discount someone else decided the funding of."""
    return funding_record_decided(
        key=key,
        name=name,
        funder=Funder.UNIT,
        proposed_by=proposed_by,
        approved_by=approved_by,
        subject=subject,
        now=now,
        action="discount_funding.unit_recorded",
    )


@transaction.atomic
def funding_record_decided(
    *,
    key: str,
    name: str,
    funder: str,
    proposed_by,
    approved_by,
    subject: str,
    platform_bps: int | None = None,
    now: datetime | None = None,
    action: str = "discount_funding.recorded",
) -> DiscountFundingVersion:
    """Version 1 of a new discount's funding, decided by two people elsewhere (a unit's promotion, a
    platform campaign) before it was created in Saleor: in force from `now`. Refused when the key already
    has a rule."""
    key = key.strip()
    if not key:
        raise FundingError(Code.BAD_TERMS, _("Give the Saleor promotion ID, or the voucher code."))
    refuse_same_person(
        approved_by,
        proposed_by.pk,
        FundingError,
        Code.FOUR_EYES,
        _("Another person approves what you proposed."),
    )
    bps = funder_bps(funder, platform_bps)
    funding, created = DiscountFunding.objects.get_or_create(key=key, defaults={"name": name[:200]})
    if not created:
        raise FundingError(
            Code.BAD_TERMS, _("%(key)s already has a funding rule: it is not a new promotion.") % {"key": key}
        )
    at = now or clock.now()
    version = DiscountFundingVersion.objects.create(
        funding=funding,
        number=1,
        funder=funder,
        platform_bps=bps,
        note=subject,
        proposed_by=proposed_by,
        proposed_at=at,
        status=S.APPROVED,
        decided_by=approved_by,
        decided_at=at,
        effective_from=at,
    )
    _audit(version, actor=approved_by, action=action, before=None)
    return version
