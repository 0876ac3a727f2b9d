"""The unit's designers: who they are and where their money goes (party `designer:<slug>`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from payments.settlement.audit import audit_record
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.models import Designer, OperatingEntity, Unit

PROFILE_FIELDS = ("name_zh", "name_en")
PAYOUT_FIELDS = ("settlement_method", "account_holder", "bank_name", "bank_account", "stripe_account_id")


def designers_of(unit: Unit) -> QuerySet[Designer]:
    return Designer.objects.filter(unit=unit).order_by("slug")


def designer_of_unit(*, unit: Unit, slug: str) -> Designer | None:
    return Designer.objects.filter(unit=unit, slug=slug).first()


def _payout_check(designer: Designer) -> None:
    if bool(designer.bank_name) != bool(designer.bank_account_encrypted):
        raise OnboardingError(Code.DESIGNER_PAYOUT_INCOMPLETE, "bank_account")


def _masked(account: str) -> str:
    return f"…{account[-4:]}" if account else ""


def _audit_payout(*, actor, designer: Designer, action: str) -> None:
    # The audit names where the money goes, never the whole account number.
    audit_record(
        actor=actor,
        action=action,
        subject=f"designer:{designer.slug}",
        party=designer.party_key,
        unit=str(designer.unit.uid),
        method=designer.settlement_method,
        bank=designer.bank_name,
        account=_masked(designer.bank_account),
        stripe_account=designer.stripe_account_id,
    )


def designer_register(*, unit: Unit, slug: str, data: Mapping[str, Any], actor: AbstractBaseUser) -> Designer:
    """Register a designer of the unit; the slug is the platform-wide identifier of their ledger party."""
    designer = Designer(unit=unit, slug=slug)
    for name in (*PROFILE_FIELDS, *PAYOUT_FIELDS):
        if name in data:
            setattr(designer, name, data[name] or "")
    designer.settlement_method = designer.settlement_method or OperatingEntity.Settlement.BANK
    _payout_check(designer)
    try:
        with transaction.atomic():
            designer.save()
            _audit_payout(actor=actor, designer=designer, action="designer.registered")
    except IntegrityError as exc:
        if "slug" not in str(exc):
            raise
        raise OnboardingError(Code.DESIGNER_SLUG_TAKEN, "slug", slug=slug) from exc
    return designer


def designer_update(*, designer: Designer, data: Mapping[str, Any], actor: AbstractBaseUser) -> Designer:
    """Change names or payout details (never the slug); a payout change is an audited money action.

    An empty or missing `bank_account` keeps the account on record (forms never show it back).
    """
    with transaction.atomic():
        designer = Designer.objects.select_for_update().select_related("unit").get(pk=designer.pk)
        before = tuple(getattr(designer, name) for name in PAYOUT_FIELDS)
        for name in (*PROFILE_FIELDS, *PAYOUT_FIELDS):
            if name in data and (name != "bank_account" or data[name]):
                setattr(designer, name, data[name] or "")
        if not designer.bank_name:
            designer.bank_account = ""  # no bank, no account: the details are removed together
        _payout_check(designer)
        designer.save()
        if tuple(getattr(designer, name) for name in PAYOUT_FIELDS) != before:
            _audit_payout(actor=actor, designer=designer, action="designer.payout_changed")
    return designer


def designer_keys_check(*, unit: Unit, party_keys: list[str]) -> None:
    """Refuse designer parties that are not designers registered by this unit."""
    slugs = {key.partition(":")[2] for key in party_keys}
    known = set(Designer.objects.filter(unit=unit, slug__in=slugs).values_list("slug", flat=True))
    for key in party_keys:
        if key.partition(":")[2] not in known:
            raise OnboardingError(Code.DESIGNER_UNKNOWN, "designer", party=key)
