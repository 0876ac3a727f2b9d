"""Reads of unit onboarding, always scoped to what the caller may see."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from unit_onboarding.agreements import SplitTerms, split_terms
from unit_onboarding.models import AgreementShare, AgreementVersion, Application, Unit

S = Application.Status


def applications_of(user) -> QuerySet[Application]:
    return Application.objects.filter(applicant=user).select_related("unit").order_by("-created_at")


def open_application_of(user) -> Application | None:
    """The application the user is still working on or waiting for, if any."""
    return applications_of(user).exclude(status__in=[S.APPROVED, S.REJECTED]).first()


def unit_or_404(user, uid, may: Callable[..., bool]) -> Unit:
    """The unit if `may(user, unit)`; anyone else gets 404, as for no unit (its existence stays hidden)."""
    unit = get_object_or_404(Unit, uid=uid)
    if not may(user, unit):
        raise Http404
    return unit


def units_of(user) -> QuerySet[Unit]:
    return Unit.objects.filter(memberships__user=user).distinct().order_by("pk")


def unit_for_warehouse(saleor_warehouse_id: str) -> Unit | None:
    """The unit owning a Saleor warehouse (how an order line's allocation leads to its unit)."""
    if not saleor_warehouse_id:
        return None
    return Unit.objects.filter(saleor_warehouse_id=saleor_warehouse_id).first()


def units_for_warehouses(saleor_warehouse_ids: Iterable[str]) -> dict[str, Unit]:
    """The units owning these Saleor warehouses, by warehouse id, in one query (a warehouse has one unit)."""
    ids = {w for w in saleor_warehouse_ids if w}
    if not ids:
        return {}
    return {unit.saleor_warehouse_id: unit for unit in Unit.objects.filter(saleor_warehouse_id__in=ids)}


def review_queue() -> QuerySet[Application]:
    """Applications waiting for a reviewer first, then the rest (drafts are the applicant's business)."""
    return (
        Application.objects.exclude(status=S.DRAFT)
        .select_related("unit", "applicant")
        .order_by("status", "updated_at")
    )


def agreement_versions(unit: Unit) -> QuerySet[AgreementVersion]:
    return (
        AgreementVersion.objects.filter(agreement__unit=unit)
        .select_related("created_by", "decided_by")
        .prefetch_related(Prefetch("shares", queryset=AgreementShare.objects.order_by("role", "party_key")))
        .order_by("-number")
    )


def agreement_version_in_force(unit: Unit, at: datetime) -> AgreementVersion | None:
    """The approved version whose period [effective_from, effective_to) contains `at`, shares prefetched;
    a proposed (or rejected) version is never in force."""
    return (
        AgreementVersion.objects.filter(
            agreement__unit=unit, status=AgreementVersion.Status.APPROVED, effective_from__lte=at
        )
        .exclude(effective_to__lte=at)
        .prefetch_related("shares")
        .first()
    )


def split_terms_in_force(unit: Unit, at: datetime) -> SplitTerms | None:
    version = agreement_version_in_force(unit, at)
    return split_terms(version) if version else None


def agreement_versions_proposed() -> QuerySet[AgreementVersion]:
    """Every version awaiting platform finance's approval, oldest first (platform finance's queue)."""
    return (
        AgreementVersion.objects.filter(status=AgreementVersion.Status.PROPOSED)
        .select_related("agreement__unit", "created_by")
        .prefetch_related(Prefetch("shares", queryset=AgreementShare.objects.order_by("role", "party_key")))
        .order_by("created_at", "pk")
    )
