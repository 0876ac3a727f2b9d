"""What one unit's parcel costs: a pure function of the unit's rate terms, its lines and the province."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from core.provinces import province_of


class NotShipped(StrEnum):
    NO_RATES = "no_rates"  # the unit has set no shipping rates in force
    UNKNOWN_PROVINCE = "unknown_province"  # the address names no mainland province
    PROVINCE_NOT_SERVED = "province_not_served"  # the unit does not ship to that province


@dataclass(frozen=True)
class RateTerms:
    """One version of a unit's shipping rates (fen). `default_rate` None: only `province_rates` are served."""

    version_id: int
    default_rate: int | None
    province_rates: Mapping[str, int] = field(default_factory=dict)
    free_over: int | None = None  # the parcel is free when the unit's goods reach this subtotal
    per_item: int = 0  # added for every item after the first
    pickup: bool = False  # the buyer may collect at the unit's counter (到馆自提) for nothing


@dataclass(frozen=True)
class ParcelPrice:
    amount: int | None  # fen; None: not shipped (see `refused`)
    refused: NotShipped | None = None
    free: bool = False  # the free-shipping threshold was reached
    pickup: bool = False
    version_id: int | None = None


def parcel_price(
    terms: RateTerms | None, *, province: str, goods: int, items: int, pickup: bool = False
) -> ParcelPrice:
    """The parcel of one unit's lines (`goods`: their subtotal in fen, `items`: their quantity) to `province`.

    Pickup (when the unit allows it) costs nothing and needs no province; otherwise the province's own rate,
    else the unit's default rate, plus the per-item surcharge, waived entirely once `goods` reach `free_over`.
    """
    if terms is None:
        return ParcelPrice(None, NotShipped.NO_RATES)
    if pickup and terms.pickup:
        return ParcelPrice(0, pickup=True, version_id=terms.version_id)
    name = province_of(province)
    if name is None:
        return ParcelPrice(None, NotShipped.UNKNOWN_PROVINCE, version_id=terms.version_id)
    rate = terms.province_rates.get(name, terms.default_rate)
    if rate is None:
        return ParcelPrice(None, NotShipped.PROVINCE_NOT_SERVED, version_id=terms.version_id)
    if terms.free_over is not None and goods >= terms.free_over:
        return ParcelPrice(0, free=True, version_id=terms.version_id)
    return ParcelPrice(rate + terms.per_item * max(items - 1, 0), version_id=terms.version_id)
