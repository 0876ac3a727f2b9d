"""Design calls (征集): a unit's operators post a call on some of its published objects; designers send
proposals before the deadline; the unit shortlists and an operator selects a winner, which takes effect
only when a finance member of the unit, another person, confirms it (it commits the award money and the
royalty terms: four eyes, by this service and a database constraint; refused when the call's terms changed
since the selection).

Confirming: the award is posted to the ledger as owed by the unit to the designer's party (designer:<slug>,
balanced; the next settlement batches pay it), and the winning design becomes a draft listing of the unit
credited to the designer, with the announced royalty (catalog.provenance.designer_royalty_set, proposed by
the operator who selected, approved by the finance member who confirmed). Every step is audited.

Withdrawing: an operator may withdraw an open call (with a reason the designers who answered read by mail),
a designer their own proposal, both only before the decision: never once awarded, never while a selected
winner waits for the unit's finance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import slugify

from catalog import listings, provenance
from catalog import services as catalog_services
from catalog.models import CollectionObject, Listing, Relation
from core import clock
from core.audit import audit_record
from core.errors import reason_given, refuse_same_person
from payments.ledger_services import award_post
from resources import tasks
from resources.error_codes import ResourcesError
from resources.error_codes import ResourcesErrorCode as Code
from resources.models import AwardSelection, DesignCall, DesignerProfile, Proposal, ProposalImage
from unit_onboarding.designers import designer_register
from unit_onboarding.models import Designer, Unit, UnitMembership
from unit_onboarding.permissions import unit_roles

CALL_FIELDS = ("title_zh", "title_en", "category", "award_fen", "deadline", "rules", "royalty_bps")
PROPOSAL_IMAGES = 3
Status = AwardSelection.Status


def can_run_calls(user, unit: Unit) -> bool:
    """The unit's operators post calls, shortlist and select."""
    return unit.status == Unit.Status.ACTIVE and UnitMembership.Role.OPERATOR in unit_roles(user, unit)


def can_view_calls(user, unit: Unit) -> bool:
    """Operators and finance members read the unit's calls and their proposals."""
    roles = unit_roles(user, unit)
    return unit.status == Unit.Status.ACTIVE and bool(
        {UnitMembership.Role.OPERATOR, UnitMembership.Role.FINANCE} & roles
    )


def can_confirm_awards(user, unit: Unit) -> bool:
    """The unit's finance members confirm a winner (it commits the unit's money)."""
    return unit.status == Unit.Status.ACTIVE and UnitMembership.Role.FINANCE in unit_roles(user, unit)


def callable_objects(unit: Unit) -> QuerySet[CollectionObject]:
    """The unit's objects a call may name: those shown in the public library."""
    return CollectionObject.objects.filter(unit=unit, publication__published=True).order_by(
        "accession_number"
    )


def is_open(call: DesignCall, now: datetime | None = None) -> bool:
    return call.status == DesignCall.Status.OPEN and (now or clock.now()) < call.deadline


def _still_open(call: DesignCall) -> None:
    """Refuse any change to a call that is no longer open, saying why."""
    if call.status == DesignCall.Status.WITHDRAWN:
        raise ResourcesError(Code.CALL_WITHDRAWN)
    if call.status != DesignCall.Status.OPEN:
        raise ResourcesError(Code.CALL_AWARDED)


def _audit(call: DesignCall, *, actor, action: str, **detail) -> None:
    audit_record(
        actor=actor,
        action=f"design_call.{action}",
        subject=f"design_call:{call.uid}",
        unit=str(call.unit.uid),
        **detail,
    )


def _objects_check(unit: Unit, objects: Sequence[CollectionObject]) -> list[CollectionObject]:
    allowed = set(callable_objects(unit).values_list("pk", flat=True))
    chosen = [o for o in objects if o.pk in allowed]
    if not chosen or len(chosen) != len(objects):
        raise ResourcesError(Code.CALL_OBJECTS_REQUIRED, "objects")
    return chosen


def _terms_check(data: Mapping[str, Any]) -> None:
    if data["deadline"] <= clock.now():
        raise ResourcesError(Code.CALL_DEADLINE_PAST, "deadline")
    if not 0 <= data["royalty_bps"] <= 10_000:
        raise ResourcesError(Code.ROYALTY_RANGE, "royalty_percent")


def call_post(
    *, unit: Unit, actor, data: Mapping[str, Any], objects: Sequence[CollectionObject]
) -> DesignCall:
    """An operator posts a call; it is public at once and open until its deadline."""
    if not can_run_calls(actor, unit):
        raise PermissionError("not an operator of this unit")
    chosen = _objects_check(unit, objects)
    _terms_check(data)
    with transaction.atomic():
        call = DesignCall.objects.create(
            unit=unit,
            created_by=actor,
            created_at=clock.now(),
            **{k: data[k] for k in CALL_FIELDS if k in data},
        )
        call.objects_called.set(chosen)
        _audit(
            call,
            actor=actor,
            action="posted",
            award_fen=call.award_fen,
            royalty_bps=call.royalty_bps,
            deadline=call.deadline.isoformat(),
            objects=[o.pk for o in chosen],
        )
    return call


def call_update(
    *, call: DesignCall, actor, data: Mapping[str, Any], objects: Sequence[CollectionObject]
) -> DesignCall:
    """Change a call's terms while it is open; a selection made on the old terms becomes stale."""
    if not can_run_calls(actor, call.unit):
        raise PermissionError("not an operator of this unit")
    chosen = _objects_check(call.unit, objects)
    _terms_check(data)
    with transaction.atomic():
        call = DesignCall.objects.select_for_update().select_related("unit").get(pk=call.pk)
        _still_open(call)
        before = {k: _plain(getattr(call, k)) for k in CALL_FIELDS}
        for name in CALL_FIELDS:
            if name in data:
                setattr(call, name, data[name])
        call.revision += 1
        call.save()
        call.objects_called.set(chosen)
        _audit(
            call,
            actor=actor,
            action="changed",
            before=before,
            after={k: _plain(getattr(call, k)) for k in CALL_FIELDS},
            revision=call.revision,
        )
    return call


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def call_withdraw(*, call: DesignCall, actor, reason: str) -> DesignCall:
    """An operator withdraws (cancels) an open call, with a reason; refused once awarded or while a selected
    winner waits for the unit's finance. Everyone whose proposal is live is told by mail."""
    if not can_run_calls(actor, call.unit):
        raise PermissionError("not an operator of this unit")
    reason = reason_given(reason, ResourcesError, Code.CALL_WITHDRAW_REASON_REQUIRED, "reason")
    with transaction.atomic():
        call = DesignCall.objects.select_for_update().select_related("unit").get(pk=call.pk)
        _still_open(call)
        if call.selections.filter(status=Status.PENDING).exists():
            raise ResourcesError(Code.CALL_WITHDRAW_SELECTION_PENDING)
        call.status = DesignCall.Status.WITHDRAWN
        call.withdrawn_by, call.withdrawn_at, call.withdraw_reason = actor, clock.now(), reason
        call.save(update_fields=["status", "withdrawn_by", "withdrawn_at", "withdraw_reason"])
        _audit(
            call,
            actor=actor,
            action="withdrawn",
            before={"status": DesignCall.Status.OPEN},
            after={"status": DesignCall.Status.WITHDRAWN},
            reason=reason,
            proposals=list(
                call.proposals.exclude(status=Proposal.Status.WITHDRAWN).values_list("pk", flat=True)
            ),
        )
        transaction.on_commit(lambda: tasks.mail_design_call_withdrawn.delay(call.pk))
    return call


# --- proposals -------------------------------------------------------------------------------------------


def proposal_submit(
    *,
    call: DesignCall,
    user,
    title: str,
    description: str,
    uploads: Sequence[UploadedFile],
    language: str = "zh-hans",
) -> Proposal:
    """A signed-in designer answers an open call, once, with 1-3 images (the catalog's image checks:
    images.ImageRefused)."""
    profile = DesignerProfile.objects.filter(account=user).first()
    if profile is None:
        raise ResourcesError(Code.CALL_PROFILE_REQUIRED)
    uploads = [u for u in uploads if u][:PROPOSAL_IMAGES]
    if not uploads:
        raise ResourcesError(Code.PROPOSAL_IMAGE_REQUIRED, "image_1")
    with transaction.atomic():
        call = DesignCall.objects.select_for_update().select_related("unit").get(pk=call.pk)
        if call.status == DesignCall.Status.WITHDRAWN:
            raise ResourcesError(Code.CALL_WITHDRAWN)
        if not is_open(call):
            raise ResourcesError(Code.CALL_CLOSED)
        live = Proposal.objects.filter(call=call, designer=user).exclude(status=Proposal.Status.WITHDRAWN)
        if live.exists():  # the constraint proposal_one_per_designer holds it too; this says it kindly
            raise ResourcesError(Code.PROPOSAL_TWICE)
        proposal = Proposal.objects.create(
            call=call,
            designer=user,
            profile=profile,
            title=title,
            description=description,
            language=language,
            created_at=clock.now(),
        )
        for position, upload in enumerate(uploads):
            asset = catalog_services.image_asset_create(owner_key=f"proposal:{proposal.pk}", upload=upload)
            ProposalImage.objects.create(proposal=proposal, image=asset, position=position)
        audit_record(
            actor=user,
            action="proposal.submitted",
            subject=f"proposal:{proposal.pk}",
            call=str(call.uid),
            unit=str(call.unit.uid),
            images=len(uploads),
        )
    return proposal


def proposal_shortlist(*, proposal: Proposal, actor, shortlisted: bool = True) -> Proposal:
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().select_related("call__unit").get(pk=proposal.pk)
        if not can_run_calls(actor, proposal.call.unit):
            raise PermissionError("not an operator of this unit")
        _still_open(proposal.call)
        if proposal.status == Proposal.Status.WITHDRAWN:
            raise ResourcesError(Code.PROPOSAL_WITHDRAWN)
        before = proposal.status
        proposal.status = Proposal.Status.SHORTLISTED if shortlisted else Proposal.Status.SUBMITTED
        proposal.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="proposal.shortlisted" if shortlisted else "proposal.unshortlisted",
            subject=f"proposal:{proposal.pk}",
            call=str(proposal.call.uid),
            before=before,
            after=proposal.status,
        )
    return proposal


def proposal_withdraw(*, proposal: Proposal, user) -> Proposal:
    """The designer withdraws their own proposal before the decision: refused once the call is awarded or
    withdrawn, and while it is the selected winner waiting for the unit's finance."""
    if proposal.designer_id != user.pk:
        raise PermissionError("not the designer's own proposal")
    with transaction.atomic():  # the call first, as selecting locks it
        call = DesignCall.objects.select_for_update().select_related("unit").get(pk=proposal.call_id)
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status == Proposal.Status.WITHDRAWN:
            raise ResourcesError(Code.PROPOSAL_WITHDRAWN)
        if call.status == DesignCall.Status.AWARDED or proposal.status in (
            Proposal.Status.WON,
            Proposal.Status.NOT_SELECTED,
        ):
            raise ResourcesError(Code.PROPOSAL_DECIDED)
        if call.status == DesignCall.Status.WITHDRAWN:
            raise ResourcesError(Code.CALL_WITHDRAWN)
        if call.selections.filter(status=Status.PENDING, proposal=proposal).exists():
            raise ResourcesError(Code.PROPOSAL_SELECTION_PENDING)
        before = proposal.status
        proposal.status, proposal.withdrawn_at = Proposal.Status.WITHDRAWN, clock.now()
        proposal.save(update_fields=["status", "withdrawn_at"])
        audit_record(
            actor=user,
            action="proposal.withdrawn",
            subject=f"proposal:{proposal.pk}",
            call=str(call.uid),
            unit=str(call.unit.uid),
            before=before,
            after=proposal.status,
        )
    return proposal


# --- the winner: selected by an operator, confirmed by another person of the unit's finance ---------------


def selection_propose(*, proposal: Proposal, actor) -> AwardSelection:
    """An operator selects the winner once the deadline has passed; it waits for a finance member."""
    with transaction.atomic():
        call = DesignCall.objects.select_for_update().select_related("unit").get(pk=proposal.call_id)
        if not can_run_calls(actor, call.unit):
            raise PermissionError("not an operator of this unit")
        _still_open(call)
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status == Proposal.Status.WITHDRAWN:
            raise ResourcesError(Code.PROPOSAL_WITHDRAWN)
        if clock.now() < call.deadline:
            raise ResourcesError(Code.CALL_NOT_CLOSED)
        if call.selections.filter(status=Status.PENDING).exists():
            raise ResourcesError(Code.SELECTION_PENDING)
        selection = AwardSelection.objects.create(
            call=call,
            proposal=proposal,
            call_revision=call.revision,
            award_fen=call.award_fen,
            royalty_bps=call.royalty_bps,
            proposed_by=actor,
            proposed_at=clock.now(),
        )
        _audit(
            call,
            actor=actor,
            action="selection_proposed",
            selection=selection.pk,
            proposal=proposal.pk,
            award_fen=selection.award_fen,
            royalty_bps=selection.royalty_bps,
        )
        transaction.on_commit(lambda: tasks.mail_design_call.delay(selection.pk, "selected"))
    return selection


def _locked_pending(selection_id: int, actor) -> AwardSelection:
    selection = (
        AwardSelection.objects.select_for_update(of=("self",))
        .select_related("call__unit", "proposal__profile", "proposal__designer", "proposed_by")
        .get(pk=selection_id)
    )
    if not can_confirm_awards(actor, selection.call.unit):
        raise PermissionError("not a finance member of this unit")
    if selection.status != Status.PENDING:
        raise ResourcesError(Code.SELECTION_NOT_PENDING)
    refuse_same_person(actor, selection.proposed_by_id, ResourcesError, Code.SELECTION_SAME_PERSON)
    return selection


def selection_reject(*, selection_id: int, actor, reason: str) -> AwardSelection:
    reason = reason_given(reason, ResourcesError, Code.SELECTION_REASON_REQUIRED, "reason")
    with transaction.atomic():
        selection = _locked_pending(selection_id, actor)
        selection.reason = reason
        selection.record_decision(Status.REJECTED, actor, also=("reason",))
        _audit(
            selection.call, actor=actor, action="selection_rejected", selection=selection.pk, reason=reason
        )
    return selection


def _registration_for(selection: AwardSelection, actor) -> Designer:
    """The winner's registration with the unit (the payee of the award and the royalty): the one their
    account claimed, else one registered now for their account (paid nowhere until platform finance
    confirms payout details, as every designer)."""
    call, profile = selection.call, selection.proposal.profile
    found = (
        Designer.objects.filter(unit=call.unit, account=selection.proposal.designer_id).order_by("pk").first()
    )
    if found is not None:
        return found
    slug = slugify(f"call-{call.unit.uid.hex[:8]}-{profile.pk}")
    designer = designer_register(
        unit=call.unit,
        slug=slug,
        data={"name_zh": profile.display_name_zh, "name_en": profile.display_name_en},
        actor=actor,
    )
    designer.account, designer.claimed_at = selection.proposal.designer, clock.now()
    designer.save(update_fields=["account", "claimed_at", "updated_at"])
    return designer


def _draft_listing(selection: AwardSelection, designer: Designer, actor) -> Listing:
    call, proposal = selection.call, selection.proposal
    obj = call.objects_called.order_by("accession_number").first()
    listing = listings.listing_create(
        unit=call.unit,
        data={
            "name_zh": proposal.title,
            "description_zh": proposal.description,
            "category": call.category,
            "product_type": "wenchuang-goods",
            "collection_object": obj,
            "relation": Relation.ADAPTATION if obj is not None else "",
            "designer": proposal.profile.display_name_zh,
        },
        variants=[],
        actor=actor,
    )
    for image in proposal.images.select_related("image"):
        listings.listing_image_add(listing=listing, asset=image.image, actor=actor)
    if selection.royalty_bps:
        start = clock.now()  # from this moment on (one reading: a later one would call it past)
        provenance.designer_royalty_set(
            listing=listing,
            designer=designer,
            bps=selection.royalty_bps,
            effective_from=start,
            actor=selection.proposed_by,
            approver=actor,
            now=start,
        )
    return listing


def selection_confirm(*, selection_id: int, actor) -> AwardSelection:
    """A finance member of the unit, not the one who selected, confirms: the award is owed to the designer
    (posted), the winning design becomes a draft listing credited to them with the announced royalty."""
    with transaction.atomic():
        DesignCall.objects.select_for_update().filter(selections__pk=selection_id).first()
        selection = _locked_pending(selection_id, actor)
        call = selection.call
        if (
            call.status != DesignCall.Status.OPEN
            or call.revision != selection.call_revision
            or (call.award_fen, call.royalty_bps) != (selection.award_fen, selection.royalty_bps)
        ):
            raise ResourcesError(Code.SELECTION_STALE)
        designer = _registration_for(selection, actor)
        listing = _draft_listing(selection, designer, actor)
        posted = award_post(
            idempotency_key=f"award:{call.uid}",
            payer=call.unit.party_key,
            payee=designer.party_key,
            amount=selection.award_fen,
            currency=call.currency,
            ref=f"call:{call.uid}",
        )
        selection.ledger_transaction_id = posted.transaction_id
        selection.record_decision(Status.CONFIRMED, actor, also=("ledger_transaction_id",))
        proposal = selection.proposal
        proposal.status, proposal.listing = Proposal.Status.WON, listing
        proposal.save(update_fields=["status", "listing"])
        call.proposals.exclude(pk=proposal.pk).exclude(status=Proposal.Status.WITHDRAWN).update(
            status=Proposal.Status.NOT_SELECTED
        )
        call.status = DesignCall.Status.AWARDED
        call.save(update_fields=["status"])
        _audit(
            call,
            actor=actor,
            action="selection_confirmed",
            selection=selection.pk,
            proposed_by=selection.proposed_by_id,
            before={"status": "open", "winner": None},
            after={"status": "awarded", "winner": proposal.pk, "party": designer.party_key},
            award_fen=selection.award_fen,
            royalty_bps=selection.royalty_bps,
            listing=str(listing.uid),
            ledger_transaction=posted.transaction_id,
        )
        transaction.on_commit(lambda: tasks.mail_design_call.delay(selection.pk, "confirmed"))
    return selection


# --- reads -------------------------------------------------------------------------------------------------


def calls_of_unit(unit: Unit) -> QuerySet[DesignCall]:
    return DesignCall.objects.filter(unit=unit).order_by("-created_at", "-pk")


def call_of_unit(unit: Unit, pk: int) -> DesignCall | None:
    return calls_of_unit(unit).filter(pk=pk).select_related("unit").first()


def proposals_of_call(call: DesignCall) -> QuerySet[Proposal]:
    return call.proposals.select_related("profile", "listing").prefetch_related("images__image")


def proposal_of_call(call: DesignCall, pk) -> Proposal | None:
    try:
        return call.proposals.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def pending_selection(call: DesignCall) -> AwardSelection | None:
    return call.selections.filter(status=Status.PENDING).select_related("proposal", "proposed_by").first()


def proposal_withdrawable(proposal: Proposal) -> bool:
    """What proposal_withdraw accepts: live, the call still open and not waiting on it as the winner."""
    return (
        proposal.status in (Proposal.Status.SUBMITTED, Proposal.Status.SHORTLISTED)
        and proposal.call.status == DesignCall.Status.OPEN
        and not proposal.selections.filter(status=Status.PENDING).exists()
    )


def open_calls(now: datetime | None = None) -> QuerySet[DesignCall]:
    """Calls open for proposals now, of active units, the nearest deadline first (public)."""
    return (
        DesignCall.objects.filter(
            status=DesignCall.Status.OPEN, deadline__gt=now or clock.now(), unit__status=Unit.Status.ACTIVE
        )
        .select_related("unit")
        .order_by("deadline", "pk")
    )


def public_call(pk: int) -> DesignCall | None:
    """Any call of an active unit (open or not: a closed call's page says so)."""
    return (
        DesignCall.objects.filter(pk=pk, unit__status=Unit.Status.ACTIVE)
        .select_related("unit")
        .prefetch_related("objects_called")
        .first()
    )


def proposals_of(user) -> QuerySet[Proposal]:
    """The account's own proposals (never anyone else's)."""
    return (
        Proposal.objects.filter(designer=user)
        .select_related("call__unit", "listing")
        .order_by("-created_at", "-pk")
    )


def proposal_of(user, pk: int) -> Proposal | None:
    return proposals_of(user).filter(pk=pk).prefetch_related("images__image").first()


def credited_listings(user) -> QuerySet[Listing]:
    """Products whose royalty goes to one of the account's registrations, or made from its winning designs."""
    return (
        Listing.objects.filter(designer_royalties__designer__account=user)
        .union(Listing.objects.filter(proposal__designer=user))
        .order_by("-created_at")
    )
