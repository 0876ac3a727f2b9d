"""Reads of discount funding: the version in force when an order was paid."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from payments.funding.models import DiscountFunding, DiscountFundingVersion


def funding_in_force(*, keys: Iterable[str], at: datetime) -> dict[str, DiscountFundingVersion]:
    """key -> the approved version in force at `at` (approved at or before it), for keys that have one."""
    found: dict[str, DiscountFundingVersion] = {}
    rows = (
        DiscountFundingVersion.objects.filter(
            funding__key__in=set(keys), status=DiscountFundingVersion.Status.APPROVED, effective_from__lte=at
        )
        .select_related("funding")
        .order_by("funding_id", "-effective_from", "-number")
    )
    for version in rows:
        found.setdefault(version.funding.key, version)
    return found


def fundings_listed() -> list[
    tuple[DiscountFunding, DiscountFundingVersion | None, list[DiscountFundingVersion]]
]:
    """Every discount with a funding rule: the version in force now, and the proposals awaiting approval."""
    S = DiscountFundingVersion.Status
    out = []
    for funding in DiscountFunding.objects.prefetch_related("versions__proposed_by").order_by("key"):
        versions = sorted(funding.versions.all(), key=lambda v: v.number)
        approved = [v for v in versions if v.status == S.APPROVED]
        out.append(
            (funding, approved[-1] if approved else None, [v for v in versions if v.status == S.PROPOSED])
        )
    return out
