"""How a Saleor refund divides over an order's split lines: by the granted refund it paid, if any."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

from orders.payload import OrderData, PaymentEvent
from payments.split import allocate


def refund_scope(
    data: OrderData,
    refund: PaymentEvent,
    parcels: Mapping[str, int] | None = None,
    parcel_of: Callable[[str], str | None] = lambda granted_id: None,
) -> dict[str, int] | None:
    """Split line ref -> part of the refund, from the granted refund it paid (lines by quantity, shipping).

    A granted line is weighed as Saleor prices it (unit price times quantity, net and tax apart, never
    above the line's total), so a refund of what Saleor granted lands exactly on those lines. A smaller
    refund is scaled down over them; of a larger one (a custom amount, or unit prices rounded up past
    the line's total) they take their whole weight and the ledger spreads the rest pro rata, as it does
    what a line no longer holds after an earlier order-level refund. None when no granted refund is
    linked to the event: all of it is spread pro rata. `parcels`: the order's shipping split lines per unit's
    parcel as its payment posted them (ref -> amount); shipping then goes back to each parcel. `parcel_of`:
    the parcel ref whose shipping a granted refund returns beside its lines (a unit's parcel refund, which
    Saleor knows only as an amount above the lines), else None.
    """
    granted = data.granted_refund_of(refund.saleor_id)
    if granted is None:
        return None
    lines = {line.saleor_id: line for line in data.lines}
    quantities: dict[str, int] = defaultdict(int)
    for ref, quantity in granted.line_quantities:
        quantities[ref] += quantity
    weights: dict[str, int] = {}
    for ref, quantity in quantities.items():
        line = lines.get(ref)
        if line is None:
            return None
        quantity = min(quantity, line.quantity)
        weights[ref] = min(line.unit_net * quantity, line.total_net)
        weights[f"{ref}:tax"] = min(line.unit_tax * quantity, line.total_tax)
    parcel = parcel_of(granted.saleor_id)
    if parcel and parcels:
        weights.update({ref: amount for ref, amount in parcels.items() if ref in (parcel, f"{parcel}:tax")})
    if granted.shipping_included and parcels:
        weights.update(parcels)
    elif granted.shipping_included:
        weights["shipping"] = data.shipping_net
        weights["shipping:tax"] = data.shipping_tax
    refs = sorted(ref for ref, weight in weights.items() if weight > 0)
    if not refs:
        return None
    held = [weights[ref] for ref in refs]
    parts = held if refund.amount >= sum(held) else allocate(refund.amount, held)
    return {ref: part for ref, part in zip(refs, parts, strict=True) if part}
