"""The unit's designers: who they are and where their money goes (party `designer:<slug>`)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet

from core import clock
from core.audit import audit_record
from core.db import violated_constraint
from core.party import Party
from unit_onboarding import links, payees, tasks
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.memberships import email_normalise
from unit_onboarding.models import Designer, DesignerClaim, OperatingEntity, PayeeChange, Unit

PROFILE_FIELDS = ("name_zh", "name_en")


def designers_of(unit: Unit) -> QuerySet[Designer]:
    """The unit's designers, each marked when a change of its payout details awaits confirmation."""
    pending = PayeeChange.objects.filter(designer=OuterRef("pk"), status=PayeeChange.Status.PENDING)
    return Designer.objects.filter(unit=unit).annotate(pending_change=Exists(pending)).order_by("slug")


def designer_of_unit(*, unit: Unit, slug: str) -> Designer | None:
    return Designer.objects.filter(unit=unit, slug=slug).first()


def _audit_profile(*, actor, designer: Designer, action: str) -> None:
    audit_record(
        actor=actor,
        action=action,
        subject=designer.party_key,
        party=designer.party_key,
        unit=str(designer.unit.uid),
        name_zh=designer.name_zh,
        name_en=designer.name_en,
    )


def _payout_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """The form's payout fields under the names payee changes use."""
    return {
        "settlement_method": data.get("settlement_method") or OperatingEntity.Settlement.BANK,
        "account_name": data.get("account_holder", ""),
        "bank_name": data.get("bank_name", ""),
        "bank_account": data.get("bank_account", ""),
        "stripe_account_id": data.get("stripe_account_id", ""),
    }


def _payout_given(data: Mapping[str, Any]) -> bool:
    return any(
        data.get(name) for name in ("account_holder", "bank_name", "bank_account", "stripe_account_id")
    )


def designer_register(
    *, unit: Unit, slug: str, data: Mapping[str, Any], actor: AbstractBaseUser, language: str = "zh-hans"
) -> Designer:
    """Register a designer of the unit; the slug is the platform-wide identifier of their ledger party.

    Payout details given with the registration are a payee change like any other: the designer is paid
    nowhere until platform finance confirms them.
    """
    designer = Designer(unit=unit, slug=slug, settlement_method=OperatingEntity.Settlement.BANK)
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(designer, name, data[name] or "")
    try:
        with transaction.atomic():
            payee = payees.designer_payee(designer)
            if _payout_given(data):  # checked before anything is written
                payees.target_details(payee, _payout_data(data), payees.PayoutDetails())
            designer.save()
            _audit_profile(actor=actor, designer=designer, action="designer.registered")
            if _payout_given(data):
                payees.payee_change_request(
                    payee=payees.designer_payee(designer),
                    data=_payout_data(data),
                    actor=actor,
                    language=language,
                )
    except IntegrityError as exc:
        if violated_constraint(exc) != "unit_onboarding_designer_slug_key":  # slug = unique=True
            raise
        raise OnboardingError(Code.DESIGNER_SLUG_TAKEN, "slug", slug=slug) from exc
    return designer


def designer_update(
    *, designer: Designer, data: Mapping[str, Any], actor: AbstractBaseUser, language: str = "zh-hans"
) -> PayeeChange | None:
    """Change names (at once) or payout details (asked for: they change when platform finance confirms).

    Returns the payee change asked for, if the payout details differ from those on record. An empty or
    missing `bank_account` keeps the account on record (forms never show it back).
    """
    with transaction.atomic():
        designer = Designer.objects.select_for_update().select_related("unit").get(pk=designer.pk)
        if any(name in data and (data[name] or "") != getattr(designer, name) for name in PROFILE_FIELDS):
            for name in PROFILE_FIELDS:
                if name in data:
                    setattr(designer, name, data[name] or "")
            designer.save(update_fields=[*PROFILE_FIELDS, "updated_at"])
            _audit_profile(actor=actor, designer=designer, action="designer.profile_changed")
        payee = payees.designer_payee(designer)
        current = payees.payout_details(payee)
        if payees.target_details(payee, _payout_data(data), current) == current:
            return None
        return payees.payee_change_request(
            payee=payee, data=_payout_data(data), actor=actor, language=language
        )


def designer_keys_check(*, unit: Unit, party_keys: list[str]) -> None:
    """Refuse designer parties that are not designers registered by this unit."""
    slugs = {Party.parse(key).id for key in party_keys}
    known = set(Designer.objects.filter(unit=unit, slug__in=slugs).values_list("slug", flat=True))
    for key in party_keys:
        if Party.parse(key).id not in known:
            raise OnboardingError(Code.DESIGNER_UNKNOWN, "designer", party=key)


# --- claims: the designer behind a registration links it to their own account ---------------------------

_CLAIM_SALT = "unit_onboarding.designer_claim"


def designer_claim_token(claim: DesignerClaim) -> str:
    return links.row_token(claim, _CLAIM_SALT)


def designer_claim_from_token(token: str) -> DesignerClaim | None:
    """The claim the link names (whatever its state), or None for a forged or mangled link."""
    return links.row_from_token(DesignerClaim.objects.select_related("designer__unit"), token, _CLAIM_SALT)


def designer_claim_open(claim: DesignerClaim, now: datetime | None = None) -> bool:
    return links.link_open(claim, DesignerClaim.Status.PENDING, now)


def designer_claim_invite(
    *, designer: Designer, email: str, actor: AbstractBaseUser, language: str, now: datetime | None = None
) -> DesignerClaim:
    """Mail `email` a link to claim the registration; a new invitation replaces a pending one."""
    now = now or clock.now()
    email = email_normalise(email)
    with transaction.atomic():
        designer = Designer.objects.select_for_update().select_related("unit").get(pk=designer.pk)
        if designer.account_id is not None:
            raise OnboardingError(Code.DESIGNER_ALREADY_CLAIMED, "email")
        DesignerClaim.objects.filter(designer=designer, status=DesignerClaim.Status.PENDING).update(
            status=DesignerClaim.Status.REVOKED, decided_at=now
        )
        claim = DesignerClaim.objects.create(
            designer=designer,
            email=email,
            invited_by=actor,
            language=language,
            nonce=secrets.token_urlsafe(12),
            created_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        audit_record(
            actor=actor,
            action="designer.claim_sent",
            subject=designer.party_key,
            party=designer.party_key,
            unit=str(designer.unit.uid),
            email=email,
            claim=claim.pk,
        )
        transaction.on_commit(lambda: tasks.mail_designer_claim.delay(claim.pk))
    return claim


def designer_claim_accept(
    *, claim: DesignerClaim, user: AbstractBaseUser, now: datetime | None = None
) -> Designer:
    """The invited address's account takes the registration: its statements and royalties are theirs now.

    The unit keeps the payee data (a change of where the money goes stays a payee change)."""
    now = now or clock.now()
    with transaction.atomic():
        claim = DesignerClaim.objects.select_for_update().get(pk=claim.pk)
        if not designer_claim_open(claim, now):
            raise OnboardingError(Code.DESIGNER_CLAIM_INVALID)
        if email_normalise(user.email or "") != claim.email:
            raise OnboardingError(Code.DESIGNER_CLAIM_OTHER_ACCOUNT, email=claim.email)
        designer = Designer.objects.select_for_update().select_related("unit").get(pk=claim.designer_id)
        if designer.account_id is not None:
            raise OnboardingError(Code.DESIGNER_ALREADY_CLAIMED)
        designer.account, designer.claimed_at = user, now
        designer.save(update_fields=["account", "claimed_at", "updated_at"])
        claim.status, claim.decided_at, claim.accepted_by = DesignerClaim.Status.ACCEPTED, now, user
        claim.save(update_fields=["status", "decided_at", "accepted_by"])
        audit_record(
            actor=user,
            action="designer.claimed",
            subject=designer.party_key,
            party=designer.party_key,
            unit=str(designer.unit.uid),
            email=claim.email,
            claim=claim.pk,
        )
    return designer


def designers_of_account(user: AbstractBaseUser) -> QuerySet[Designer]:
    """The registrations an account claimed (one per unit that pays them)."""
    if not user.is_authenticated:
        return Designer.objects.none()
    return (
        Designer.objects.filter(account=user).select_related("unit").order_by("unit__legal_name_zh", "slug")
    )
