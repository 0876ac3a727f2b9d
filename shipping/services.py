"""Writes of shipping: a unit's new rates version (audited, refused when stale) and checkout quotes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db import IntegrityError, transaction

from core import clock
from core.audit import audit_record
from core.provinces import province_of
from shipping.error_codes import ShippingError
from shipping.error_codes import ShippingErrorCode as Code
from shipping.models import ShippingRates
from unit_onboarding.models import Unit


def rates_change(
    *,
    unit: Unit,
    actor,
    based_on: int | None,
    effective_from: datetime | None,
    default_rate: int | None,
    province_rates: Mapping[str, int],
    free_over: int | None,
    per_item: int,
    pickup: bool,
) -> ShippingRates:
    """A new version of the unit's rates, in force from `effective_from` (default now) for carts priced after.

    `based_on` is the version the editor saw (None: none yet); when a newer one exists the change is refused
    (STALE_RATES), so nobody overwrites a change they never saw. Audited with the terms before and after.
    """
    now = clock.now()
    start = effective_from or now
    if start < now:
        raise ShippingError(Code.IN_THE_PAST, "effective_from")
    rates = {}
    for name, fen in province_rates.items():
        province = province_of(name)
        if province is None:
            raise ShippingError(Code.UNKNOWN_PROVINCE, "province_rates", province=name)
        rates[province] = int(fen)
    if default_rate is None and not rates:
        raise ShippingError(Code.NO_PROVINCE_SERVED, "default_rate")
    with transaction.atomic():
        Unit.objects.select_for_update().get(pk=unit.pk)  # one change of a unit's rates at a time
        latest = ShippingRates.objects.filter(unit=unit).order_by("-pk").first()
        if (latest.pk if latest else None) != based_on:
            raise ShippingError(Code.STALE_RATES)
        try:
            with transaction.atomic():
                version = ShippingRates.objects.create(
                    unit=unit,
                    effective_from=start,
                    default_rate=default_rate,
                    province_rates=rates,
                    free_over=free_over,
                    per_item=per_item,
                    pickup=pickup,
                    based_on=latest,
                    created_by=actor,
                )
        except IntegrityError as exc:
            if "shipping_rates_unit_from_uniq" in str(exc):
                raise ShippingError(Code.SAME_START, "effective_from") from exc
            raise ShippingError(Code.STALE_RATES) from exc
        audit_record(
            actor=actor,
            action="shipping_rates_changed",
            subject=f"shipping_rates:{version.pk}",
            party=unit.party_key,
            before=latest.as_dict() if latest else None,
            after=version.as_dict(),
        )
    return version
