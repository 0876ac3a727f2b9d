"""Designer royalty changes under four eyes: one finance member proposes, another approves, then it applies.

A royalty decides who receives part of every sale, like an agreement's terms: the proposer may withdraw
while it waits; an approver who is not the proposer applies it (catalog.provenance.designer_royalty_set),
or rejects it with a reason. Approval is refused as stale when the terms in force changed, or the start
passed, while the change waited. Every step is audited.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from catalog import provenance
from catalog.error_codes import CatalogError
from catalog.error_codes import CatalogErrorCode as Code
from catalog.models import DesignerRoyalty, DesignerRoyaltyChange, Listing
from core import clock
from core.audit import audit_record
from core.errors import reason_given, refuse_same_person
from unit_onboarding.models import Designer
from unit_onboarding.permissions import can_manage_designers

Status = DesignerRoyaltyChange.Status


def _audit(change: DesignerRoyaltyChange, *, actor, action: str, **detail) -> None:
    audit_record(
        actor=actor,
        action=f"designer_royalty.{action}",
        subject=f"listing:{change.listing.uid}",
        party=f"designer:{change.designer_id}" if change.designer_id else "",
        change=change.pk,
        bps=change.bps,
        effective_from=change.effective_from.isoformat(),
        before=f"designer:{change.based_on.designer_id} {change.based_on.bps}" if change.based_on else None,
        **detail,
    )


def royalty_change_propose(
    *, listing: Listing, designer: Designer | None, bps: int, effective_from: datetime, actor
) -> DesignerRoyaltyChange:
    """Propose new terms from `effective_from` (0 bps ends the royalty); a second person must approve."""
    if not can_manage_designers(actor, listing.unit):
        raise PermissionError("not finance of this unit")
    with transaction.atomic():
        Listing.objects.select_for_update().filter(pk=listing.pk).first()
        if DesignerRoyaltyChange.objects.filter(listing=listing, status=Status.PENDING).exists():
            raise CatalogError(Code.ROYALTY_CHANGE_PENDING)
        current = provenance.designer_royalty_check(
            listing=listing, designer=designer, bps=bps, effective_from=effective_from, now=clock.now()
        )
        if not bps and current is None:
            raise CatalogError(Code.ROYALTY_DESIGNER_REQUIRED, "designer")
        change = DesignerRoyaltyChange.objects.create(
            listing=listing,
            designer=designer,
            bps=bps,
            effective_from=effective_from,
            based_on=current,
            proposed_by=actor,
            proposed_at=clock.now(),
        )
        _audit(change, actor=actor, action="proposed")
    return change


def _locked_pending(change_id: int) -> DesignerRoyaltyChange:
    change = (
        DesignerRoyaltyChange.objects.select_for_update(of=("self",))
        .select_related("listing__unit", "designer", "based_on", "proposed_by")
        .get(pk=change_id)
    )
    if change.status != Status.PENDING:
        raise CatalogError(Code.ROYALTY_CHANGE_NOT_PENDING)
    return change


def _decide(change: DesignerRoyaltyChange, status: str, *, actor, reason: str = "") -> None:
    change.reason = reason
    change.record_decision(status, actor, also=("reason", "applied"))


def _decider_check(change: DesignerRoyaltyChange, actor) -> None:
    if not can_manage_designers(actor, change.listing.unit):
        raise PermissionError("not finance of this unit")
    refuse_same_person(actor, change.proposed_by_id, CatalogError, Code.ROYALTY_CHANGE_SAME_PERSON)


def royalty_change_approve(*, change_id: int, actor) -> DesignerRoyalty | None:
    """A second finance member applies the proposed terms, unless they went stale while waiting."""
    with transaction.atomic():
        Listing.objects.select_for_update().filter(royalty_changes__pk=change_id).first()
        change = _locked_pending(change_id)
        _decider_check(change, actor)
        current = DesignerRoyalty.objects.filter(listing=change.listing, effective_to__isnull=True).first()
        if (current.pk if current else None) != change.based_on_id:
            raise CatalogError(Code.ROYALTY_CHANGE_STALE)
        if change.effective_from < clock.now():
            raise CatalogError(Code.ROYALTY_CHANGE_STARTED)
        change.applied = provenance.designer_royalty_set(
            listing=change.listing,
            designer=change.designer,
            bps=change.bps,
            effective_from=change.effective_from,
            actor=change.proposed_by,
            approver=actor,
        )
        _decide(change, Status.APPROVED, actor=actor)
        _audit(change, actor=actor, action="approved", proposed_by=change.proposed_by.pk)
    return change.applied


def royalty_change_reject(*, change_id: int, actor, reason: str) -> DesignerRoyaltyChange:
    reason = reason_given(reason, CatalogError, Code.ROYALTY_CHANGE_REASON_REQUIRED, "reason")
    with transaction.atomic():
        change = _locked_pending(change_id)
        _decider_check(change, actor)
        _decide(change, Status.REJECTED, actor=actor, reason=reason)
        _audit(change, actor=actor, action="rejected", reason=reason)
    return change


def royalty_change_withdraw(*, change_id: int, actor) -> DesignerRoyaltyChange:
    """Only the proposer withdraws, while the change waits."""
    with transaction.atomic():
        change = _locked_pending(change_id)
        if actor.pk != change.proposed_by_id:
            raise PermissionError("not the proposer")
        _decide(change, Status.WITHDRAWN, actor=actor)
        _audit(change, actor=actor, action="withdrawn")
    return change


def pending_change(listing: Listing) -> DesignerRoyaltyChange | None:
    return (
        DesignerRoyaltyChange.objects.filter(listing=listing, status=Status.PENDING)
        .select_related("designer", "proposed_by", "based_on")
        .first()
    )


def changes_of(listing: Listing, *, limit: int = 20) -> list[DesignerRoyaltyChange]:
    return list(
        DesignerRoyaltyChange.objects.filter(listing=listing)
        .select_related("designer", "proposed_by", "decided_by")
        .order_by("-proposed_at", "-pk")[:limit]
    )
