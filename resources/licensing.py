"""Licence requests: a designer asks a unit for a licence on a published object; the unit approves (an IP
licence, through the catalog) or declines with a reason; the designer may withdraw while it is pending.

Every step is audited and mailed (after commit, through resources.tasks).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from catalog import provenance
from catalog.models import CollectionObject, IpLicence
from core import clock
from core.audit import audit_record
from core.errors import reason_given
from resources import tasks
from resources.error_codes import ResourcesError
from resources.error_codes import ResourcesErrorCode as Code
from resources.models import DesignerProfile, LicenceRequest, PublishedObject, Rights
from unit_onboarding.models import Unit, UnitMembership
from unit_onboarding.permissions import unit_roles

REVIEWER_ROLES = {UnitMembership.Role.OPERATOR, UnitMembership.Role.FINANCE}


def can_review_requests(user, unit: Unit) -> bool:
    """The unit's operators and finance members answer the requests addressed to it."""
    return unit.status == Unit.Status.ACTIVE and bool(REVIEWER_ROLES & unit_roles(user, unit))


def licensable_object(pk: int) -> CollectionObject | None:
    """A published object of an active unit whose rights are 'licensable' (else None)."""
    obj = (
        CollectionObject.objects.select_related("unit", "publication")
        .filter(pk=pk, publication__published=True, unit__status=Unit.Status.ACTIVE)
        .first()
    )
    if obj is None or obj.publication.rights != Rights.LICENSABLE:
        return None
    return obj


def published_object(pk: int) -> CollectionObject | None:
    return (
        CollectionObject.objects.select_related("unit", "publication")
        .filter(pk=pk, publication__published=True, unit__status=Unit.Status.ACTIVE)
        .first()
    )


def _check_terms(*, royalty_bps: int, term_from: date, term_until: date, today: date) -> None:
    if not 0 <= royalty_bps <= 10_000:
        raise ResourcesError(Code.ROYALTY_RANGE, "royalty_percent")
    if term_until < term_from:
        raise ResourcesError(Code.TERM_END_BEFORE_START, "term_until")
    if term_until < today:
        raise ResourcesError(Code.TERM_IN_PAST, "term_until")


def _audit(request: LicenceRequest, *, actor, action: str, **detail) -> None:
    audit_record(
        actor=actor,
        action=f"licence_request.{action}",
        subject=f"licence_request:{request.pk}",
        unit=str(request.unit.uid),
        object=request.object_id,
        requester=request.requester_id,
        **detail,
    )


def licence_request_submit(
    *, obj: CollectionObject, user, data: Mapping[str, Any], language: str = "zh-hans"
) -> LicenceRequest:
    """The signed-in designer asks the object's unit for a licence (refused unless it is licensable)."""
    profile = DesignerProfile.objects.filter(account=user).first()
    if profile is None:
        raise ResourcesError(Code.PROFILE_REQUIRED)
    with transaction.atomic():
        # Locked: the unit cannot withdraw the object's licensability between the check and the insert.
        publication = PublishedObject.objects.select_for_update().filter(object_id=obj.pk).first()
        if publication is None or licensable_object(obj.pk) is None:
            raise ResourcesError(Code.OBJECT_NOT_LICENSABLE)
        _check_terms(
            royalty_bps=data["royalty_bps"],
            term_from=data["term_from"],
            term_until=data["term_until"],
            today=clock.today(),
        )
        request = LicenceRequest.objects.create(
            object=obj,
            unit=obj.unit,
            requester=user,
            profile=profile,
            language=language,
            created_at=clock.now(),
            **{
                k: data[k]
                for k in ("product", "channels", "quantity", "royalty_bps", "term_from", "term_until", "note")
            },
        )
        _audit(
            request,
            actor=user,
            action="submitted",
            royalty_bps=request.royalty_bps,
            term=f"{request.term_from}..{request.term_until}",
        )
        transaction.on_commit(lambda: tasks.mail_licence_request.delay(request.pk, "submitted"))
    return request


def _locked_pending(request: LicenceRequest) -> LicenceRequest:
    request = (
        LicenceRequest.objects.select_for_update()
        .select_related("unit", "object", "profile")
        .get(pk=request.pk)
    )
    if request.status != LicenceRequest.Status.PENDING:
        raise ResourcesError(Code.REQUEST_NOT_PENDING)
    return request


def licence_request_approve(
    *, request: LicenceRequest, actor, royalty_bps: int, valid_from: date, valid_until: date, scope: str
) -> IpLicence:
    """Grant the licence on the terms the unit settles (the request's terms by default): an IP licence the
    catalog's royalty and expiry machinery applies once a second person confirms it."""
    _check_terms(royalty_bps=royalty_bps, term_from=valid_from, term_until=valid_until, today=clock.today())
    with transaction.atomic():
        request = _locked_pending(request)
        if not can_review_requests(actor, request.unit):
            raise PermissionError("not a reviewer of this unit")
        # The licence waits for a second person of the unit's finance (catalog.provenance.ip_licence_confirm).
        licence = provenance.ip_licence_propose(
            actor=actor,
            licensor=request.unit,
            data={
                "licensee_name": request.profile.display_name_zh,
                "licensee_credit_code": "",
                "scope": scope,
                "valid_from": valid_from,
                "valid_until": valid_until,
                "royalty_bps": royalty_bps,
            },
        )
        request.licence = licence
        request.record_decision(LicenceRequest.Status.APPROVED, actor, also=("licence",))
        _audit(
            request,
            actor=actor,
            action="approved",
            licence=licence.pk,
            royalty_bps=royalty_bps,
            term=f"{valid_from}..{valid_until}",
        )
        transaction.on_commit(lambda: tasks.mail_licence_request.delay(request.pk, "approved"))
    return licence


def licence_request_decline(*, request: LicenceRequest, actor, reason: str) -> LicenceRequest:
    reason = reason_given(reason, ResourcesError, Code.DECLINE_REASON_REQUIRED, "reason")
    with transaction.atomic():
        request = _locked_pending(request)
        if not can_review_requests(actor, request.unit):
            raise PermissionError("not a reviewer of this unit")
        request.decline_reason = reason
        request.record_decision(LicenceRequest.Status.DECLINED, actor, also=("decline_reason",))
        _audit(request, actor=actor, action="declined", reason=reason)
        transaction.on_commit(lambda: tasks.mail_licence_request.delay(request.pk, "declined"))
    return request


def licence_request_withdraw(*, request: LicenceRequest, user) -> LicenceRequest:
    """Only the designer who asked withdraws, and only while the unit has not answered."""
    with transaction.atomic():
        request = _locked_pending(request)
        if request.requester_id != user.pk:
            raise PermissionError("not the requester")
        request.record_decision(LicenceRequest.Status.WITHDRAWN, user)
        _audit(request, actor=user, action="withdrawn")
        transaction.on_commit(lambda: tasks.mail_licence_request.delay(request.pk, "withdrawn"))
    return request


# --- reads ---------------------------------------------------------------------------------------------


def requests_of_unit(unit: Unit) -> QuerySet[LicenceRequest]:
    return LicenceRequest.objects.filter(unit=unit).select_related("object", "profile", "licence")


def request_of_unit(unit: Unit, pk: int) -> LicenceRequest | None:
    return requests_of_unit(unit).filter(pk=pk).first()


def requests_of(user) -> QuerySet[LicenceRequest]:
    """The account's own requests (never anyone else's)."""
    return LicenceRequest.objects.filter(requester=user).select_related("object", "unit", "licence")


def request_of(user, pk: int) -> LicenceRequest | None:
    return requests_of(user).filter(pk=pk).first()


def default_scope(request: LicenceRequest) -> str:
    """The licence's scope as the request describes it (the unit may reword it)."""
    return (
        f"{request.object.title_zh} ({request.object.accession_number}): {request.product}; "
        f"{request.channels}; {request.quantity}"
    )
