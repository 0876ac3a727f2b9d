"""The unit's own payout details as given in its application: where the institution's share and its
staff pool will be paid.

Policy keeps the public institution and its operating enterprise apart (事企分开), so the unit is paid to
its own bank account, never to its operating entity's; public institutions are paid by bank transfer.
Once the unit is active its details change only through a payee change that platform finance confirms
(unit_onboarding.payees); before, no money can reach it and the application they belong to is reviewed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from core.audit import audit_record
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.models import Unit

PAYOUT_FIELDS = ("payout_account_name", "payout_bank_name", "payout_bank_account")


def _masked(account: str) -> str:
    return f"…{account[-4:]}" if account else ""


def unit_payout_update(*, unit: Unit, data: Mapping[str, Any], actor: AbstractBaseUser | None) -> Unit:
    """Set or remove the bank details of a unit still applying; a change is audited (account masked).

    An empty or missing account number keeps the one on record (forms never show it back); clearing the
    bank name removes all three. Partial details are refused: a payout needs name, bank and account.
    """
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        if unit.status == Unit.Status.ACTIVE:
            raise OnboardingError(Code.PAYOUT_NEEDS_CONFIRMATION)
        before = tuple(getattr(unit, name) for name in PAYOUT_FIELDS)
        for name in PAYOUT_FIELDS:
            if name in data and (name != "payout_bank_account" or data[name]):
                setattr(unit, name, (data[name] or "").strip())
        if not unit.payout_bank_name:
            unit.payout_account_name = ""
            unit.payout_bank_account = ""  # no bank, no account: the details are removed together
        filled = {bool(getattr(unit, name)) for name in PAYOUT_FIELDS}
        if filled == {True, False}:
            raise OnboardingError(Code.UNIT_PAYOUT_INCOMPLETE, "payout_bank_account")
        unit.save(update_fields=[*PAYOUT_FIELDS[:2], "payout_bank_account_encrypted", "updated_at"])
        if tuple(getattr(unit, name) for name in PAYOUT_FIELDS) != before:
            audit_record(
                actor=actor,
                action="unit.payout_changed",
                subject=unit.party_key,
                party=unit.party_key,
                unit=str(unit.uid),
                method="bank",
                payee=unit.payout_account_name,
                bank=unit.payout_bank_name,
                account=_masked(unit.payout_bank_account),
            )
    return unit
