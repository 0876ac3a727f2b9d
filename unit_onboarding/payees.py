"""Where payees' money goes, and how that changes: a request, then platform finance's confirmation.

A payee is the unit itself (its share and staff pool go to its own account), its operating entity (bank
or Stripe account) or one of its designers. Once a unit is active, none of their payout details changes
on a form: the form asks for a change (PayeeChange, the account encrypted, before/after masked in the
audit trail, mail to the unit's other finance members and to platform finance), and it takes effect only
when a member of platform finance who did not ask for it confirms it, against the details it was asked
against (otherwise it is stale). Settlement batches freeze the payee at proposal, so a batch proposed
for the old account is refused at execution once the change is in effect.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.crypto import salted_hmac

from core import clock
from core.audit import audit_record
from core.db import violated_constraint
from core.errors import refuse_same_person
from unit_onboarding import tasks
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.models import Designer, OperatingEntity, PayeeChange, Unit
from unit_onboarding.permissions import can_manage_designers, is_platform_finance

Kind = PayeeChange.Kind
BANK, STRIPE = OperatingEntity.Settlement.BANK, OperatingEntity.Settlement.STRIPE
STRIPE_ACCOUNT = re.compile(r"acct_[A-Za-z0-9]+")


@dataclass(frozen=True)
class PayoutDetails:
    """A payee's payout details as one value: how, to whom, which bank account or Stripe account."""

    method: str = BANK
    account_name: str = ""
    bank_name: str = ""
    bank_account: str = ""
    stripe_account_id: str = ""

    def masked(self) -> dict[str, str]:
        """What the audit trail, mail and pages show: the account as its last four digits."""
        return {
            "method": self.method,
            "name": self.account_name,
            "bank": self.bank_name,
            "account": f"…{self.bank_account[-4:]}" if self.bank_account else "",
            "stripe_account": self.stripe_account_id,
        }

    @property
    def digest(self) -> str:
        """A keyed digest (the account never leaves the database in clear): the optimistic check's base."""
        text = json.dumps(asdict(self), sort_keys=True)
        return salted_hmac("unit_onboarding.payee-details", text, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class Payee:
    """One payee of a unit: its kind, the row that holds its details, and its ledger party."""

    unit: Unit
    kind: str
    row: Model  # the Unit, OperatingEntity or Designer holding the details
    party: str

    @property
    def designer(self) -> Designer | None:
        return self.row if self.kind == Kind.DESIGNER else None


def unit_payee(unit: Unit) -> Payee:
    return Payee(unit, Kind.UNIT, unit, unit.party_key)


def entity_payee(unit: Unit) -> Payee:
    entity = unit.operating_entity
    return Payee(unit, Kind.ENTITY, entity, entity.party_key)


def designer_payee(designer: Designer) -> Payee:
    return Payee(designer.unit, Kind.DESIGNER, designer, designer.party_key)


def payout_details(payee: Payee) -> PayoutDetails:
    """The details on record (in effect now)."""
    row = payee.row
    if payee.kind == Kind.UNIT:
        return PayoutDetails(BANK, row.payout_account_name, row.payout_bank_name, row.payout_bank_account)
    if payee.kind == Kind.ENTITY:
        return PayoutDetails(
            row.settlement_method, "", row.bank_name, row.bank_account, row.stripe_account_id
        )
    return PayoutDetails(
        row.settlement_method, row.account_holder, row.bank_name, row.bank_account, row.stripe_account_id
    )


def requested_details(change: PayeeChange) -> PayoutDetails:
    return PayoutDetails(
        change.settlement_method,
        change.account_name,
        change.bank_name,
        change.bank_account,
        change.stripe_account_id,
    )


def _apply(payee: Payee, details: PayoutDetails) -> None:
    row = payee.row
    if payee.kind == Kind.UNIT:
        row.payout_account_name, row.payout_bank_name = details.account_name, details.bank_name
        row.payout_bank_account = details.bank_account
        row.save(update_fields=["payout_account_name", "payout_bank_name", "payout_bank_account_encrypted"])
        return
    row.settlement_method = details.method
    row.bank_name, row.bank_account = details.bank_name, details.bank_account
    row.stripe_account_id = details.stripe_account_id
    fields = ["settlement_method", "bank_name", "bank_account_encrypted", "stripe_account_id"]
    if payee.kind == Kind.DESIGNER:
        row.account_holder = details.account_name
        fields.append("account_holder")
    row.save(update_fields=fields)


def _locked(payee: Payee) -> Payee:
    """The payee with its row locked: a confirmation and a request never interleave on it."""
    row = type(payee.row).objects.select_for_update().get(pk=payee.row.pk)
    return replace(payee, row=row)


def target_details(payee: Payee, data: Mapping[str, Any], current: PayoutDetails) -> PayoutDetails:
    """What `data` asks for, completed from `current` and checked: an empty account number keeps the one
    on record (forms never show it back); no bank name means no bank account either."""
    method = BANK if payee.kind == Kind.UNIT else (data.get("settlement_method") or current.method)
    name = (data.get("account_name") or "").strip() if payee.kind != Kind.ENTITY else ""
    bank = (data.get("bank_name") or "").strip()
    account = re.sub(r"[\s-]", "", data.get("bank_account") or "") or current.bank_account
    stripe = (data.get("stripe_account_id") or "").strip() if payee.kind != Kind.UNIT else ""
    if not bank:
        account = ""
        if payee.kind == Kind.UNIT:
            name = ""  # the unit's details are removed together
    target = PayoutDetails(method, name, bank, account, stripe)
    _target_check(payee.kind, target)
    return target


def _target_check(kind: str, target: PayoutDetails) -> None:
    if target.stripe_account_id and not STRIPE_ACCOUNT.fullmatch(target.stripe_account_id):
        raise OnboardingError(Code.STRIPE_ACCOUNT_INVALID, "stripe_account_id")
    if kind == Kind.UNIT:
        if len({bool(target.account_name), bool(target.bank_name), bool(target.bank_account)}) > 1:
            raise OnboardingError(Code.UNIT_PAYOUT_INCOMPLETE, "bank_account")
        return
    if target.method == STRIPE and not target.stripe_account_id:
        raise OnboardingError(Code.STRIPE_ACCOUNT_MISSING, "stripe_account_id")
    if bool(target.bank_name) != bool(target.bank_account):
        code = Code.ENTITY_PAYOUT_INCOMPLETE if kind == Kind.ENTITY else Code.DESIGNER_PAYOUT_INCOMPLETE
        raise OnboardingError(code, "bank_account")
    if kind == Kind.ENTITY and target.method == BANK and not target.bank_name:
        raise OnboardingError(Code.ENTITY_PAYOUT_INCOMPLETE, "bank_name")


def pending_change(payee: Payee) -> PayeeChange | None:
    return PayeeChange.objects.filter(party=payee.party, status=PayeeChange.Status.PENDING).first()


def _mail(change: PayeeChange, event: str, language: str) -> None:
    transaction.on_commit(lambda: tasks.mail_payee_change.delay(change.pk, event, language))


def payee_change_request(
    *,
    payee: Payee,
    data: Mapping[str, Any],
    actor: AbstractBaseUser,
    language: str = "zh-hans",
    now: datetime | None = None,
) -> PayeeChange:
    """Ask for new payout details; nothing is paid differently until platform finance confirms them."""
    with transaction.atomic():
        payee = _locked(payee)
        current = payout_details(payee)
        target = target_details(payee, data, current)
        if target == current:
            raise OnboardingError(Code.PAYEE_UNCHANGED)
        change = PayeeChange(
            unit=payee.unit,
            kind=payee.kind,
            designer=payee.designer,
            party=payee.party,
            settlement_method=target.method,
            account_name=target.account_name,
            bank_name=target.bank_name,
            bank_account=target.bank_account,
            stripe_account_id=target.stripe_account_id,
            before=current.masked(),
            after=target.masked(),
            base_digest=current.digest,
            requested_by=actor,
            requested_at=now or clock.now(),
        )
        try:
            with transaction.atomic():
                change.save()
        except IntegrityError as exc:
            if violated_constraint(exc) != "payee_change_one_pending":
                raise
            raise OnboardingError(Code.PAYEE_CHANGE_PENDING) from exc
        _audit(change, actor=actor, action="payee.change_requested")
        _mail(change, "requested", language)
    return change


def _locked_change(change_id: int) -> PayeeChange:
    """The change row, locked for the decision (its unit and designer read with it)."""
    rows = PayeeChange.objects.select_for_update(of=("self",)).select_related("unit", "designer")
    return rows.get(pk=change_id)


def payee_change_confirm(
    *, change_id: int, actor: AbstractBaseUser, language: str = "zh-hans", now: datetime | None = None
) -> PayeeChange:
    """Platform finance, not the requester, puts a requested change in effect; refused when stale."""
    with transaction.atomic():
        change = _locked_change(change_id)
        _decidable(change, actor)
        refuse_same_person(actor, change.requested_by_id, OnboardingError, Code.PAYEE_FOUR_EYES)
        payee = _locked(_payee_of(change))
        if payout_details(payee).digest != change.base_digest:
            raise OnboardingError(Code.PAYEE_CHANGE_STALE)
        _apply(payee, requested_details(change))
        _decide(change, PayeeChange.Status.CONFIRMED, actor=actor, now=now)
        _audit(change, actor=actor, action="payee.changed")
        _mail(change, "confirmed", language)
    return change


def payee_change_reject(
    *,
    change_id: int,
    actor: AbstractBaseUser,
    reason: str = "",
    language: str = "zh-hans",
    now: datetime | None = None,
) -> PayeeChange:
    """Platform finance refuses a requested change; the details on record stay as they are."""
    with transaction.atomic():
        change = _locked_change(change_id)
        _decidable(change, actor)
        _decide(change, PayeeChange.Status.REJECTED, actor=actor, now=now, reason=reason)
        _audit(change, actor=actor, action="payee.change_rejected")
        _mail(change, "rejected", language)
    return change


def payee_change_withdraw(
    *, change_id: int, actor: AbstractBaseUser, language: str = "zh-hans", now: datetime | None = None
) -> PayeeChange:
    """The requester, or whoever may ask for the unit's payout changes, takes a pending request back."""
    with transaction.atomic():
        change = _locked_change(change_id)
        if change.status != PayeeChange.Status.PENDING:
            raise OnboardingError(Code.PAYEE_CHANGE_NOT_PENDING)
        if change.requested_by_id != actor.pk and not can_manage_designers(actor, change.unit):
            raise OnboardingError(Code.PAYEE_WITHDRAW_NOT_ALLOWED)
        _decide(change, PayeeChange.Status.WITHDRAWN, actor=actor, now=now)
        _audit(change, actor=actor, action="payee.change_withdrawn")
        _mail(change, "withdrawn", language)
    return change


def _payee_of(change: PayeeChange) -> Payee:
    if change.kind == Kind.UNIT:
        return unit_payee(change.unit)
    if change.kind == Kind.ENTITY:
        return entity_payee(change.unit)
    return designer_payee(change.designer)


def _decidable(change: PayeeChange, actor: AbstractBaseUser) -> None:
    if change.status != PayeeChange.Status.PENDING:
        raise OnboardingError(Code.PAYEE_CHANGE_NOT_PENDING)
    if not is_platform_finance(actor):
        raise OnboardingError(Code.PAYEE_CONFIRM_NOT_ALLOWED)


def _decide(change: PayeeChange, status: str, *, actor, now: datetime | None, reason: str = "") -> None:
    change.reason = reason
    change.record_decision(status, actor, now=now, also=("reason",))


def _audit(change: PayeeChange, *, actor, action: str) -> None:
    # who asked, who decided, what, before and after: the account only as its last four digits
    audit_record(
        actor=actor,
        action=action,
        subject=f"payee_change:{change.pk}",
        party=change.party,
        unit=str(change.unit.uid),
        kind=change.kind,
        requested_by=str(change.requested_by),
        requested_at=clock.local(change.requested_at).isoformat(),
        before=change.before,
        after=change.after,
        reason=change.reason,
    )


def payee_changes_pending() -> list[PayeeChange]:
    """Every request awaiting platform finance, oldest first."""
    return list(
        PayeeChange.objects.filter(status=PayeeChange.Status.PENDING)
        .select_related("unit", "designer", "requested_by")
        .order_by("requested_at", "pk")
    )


def payee_changes_of(unit: Unit, *, limit: int = 20) -> list[PayeeChange]:
    """The unit's recent requests (its own account, its entity's, its designers'), newest first."""
    return list(
        PayeeChange.objects.filter(unit=unit).select_related("designer", "requested_by", "decided_by")[:limit]
    )
