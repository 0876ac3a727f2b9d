"""Reads of discount funding: the version in force when an order was paid."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from payments.funding.models import DiscountFundingVersion


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
