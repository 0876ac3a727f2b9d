"""Fulfilment progress per unit: how much of its lines has shipped, with carriers and tracking numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

# Only these fulfilments are on their way to the buyer (canceled, returned, refunded ones are not).
SHIPPED_STATUSES = frozenset({"FULFILLED"})


@dataclass(frozen=True)
class Shipment:
    carrier: str
    tracking_number: str


@dataclass(frozen=True)
class Progress:
    state: str  # "unfulfilled", "partially_shipped" or "shipped"
    shipments: list[Shipment] = field(default_factory=list)


def progress_of(lines: list[dict], fulfilments: list[dict], carriers: dict[str, str]) -> Progress:
    """One unit's progress from Saleor's fulfilled quantities; shipments are the fulfilments of its lines."""
    line_ids = {line["id"] for line in lines}
    ordered = sum(line["quantity"] for line in lines)
    shipped = sum(min(line["quantity_fulfilled"], line["quantity"]) for line in lines)
    shipments = [
        Shipment(carrier=carriers.get(f["id"], ""), tracking_number=f.get("trackingNumber") or "")
        for f in fulfilments
        if f.get("status") in SHIPPED_STATUSES
        and any((fl.get("orderLine") or {}).get("id") in line_ids for fl in f.get("lines") or [])
    ]
    if shipped == 0:
        state = "unfulfilled"
    elif shipped < ordered:
        state = "partially_shipped"
    else:
        state = "shipped"
    return Progress(state=state, shipments=shipments)
