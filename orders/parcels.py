"""Which units' parcels an order's shipping paid: the quote its checkout was charged (shipping/)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from orders.payload import OrderData
from payments.models import SplitLine
from payments.split import allocate
from shipping.selectors import quote_for_order
from unit_onboarding.models import Unit


@dataclass(frozen=True)
class OrderParcel:
    unit: Unit
    net: int
    tax: int


def parcel_ref(unit: Unit) -> str:
    """The split line of a unit's parcel ("shipping:<unit uid>", its tax "shipping:<unit uid>:tax")."""
    return f"shipping:{unit.uid}"


def order_parcels(data: OrderData, units: dict[str, Unit]) -> tuple[OrderParcel, ...]:
    """Each unit's part of the order's shipping (net and tax, pro rata to its parcel's price, exactly),
    from the quote of the method the order was charged; () when there is none that fits (the order then
    follows the one-price rule): no quote for its checkout, a quote of no charge, or a parcel of a unit that
    sold nothing in the order."""
    quote = quote_for_order(
        checkout_id=data.checkout_id,
        method_name=data.shipping_method_name,
        total=data.shipping_net + data.shipping_tax,
        currency=data.currency,
    )
    if quote is None:
        return ()
    by_pk = {u.pk: u for u in units.values()}
    charged = [(p["unit"], int(p["amount"] or 0)) for p in quote.parcels if p.get("amount")]
    if not charged or any(pk not in by_pk for pk, _ in charged):
        return ()
    weights = [amount for _, amount in charged]
    nets = allocate(data.shipping_net, weights)
    taxes = allocate(data.shipping_tax, weights)
    return tuple(
        OrderParcel(by_pk[pk], net, tax) for (pk, _), net, tax in zip(charged, nets, taxes, strict=True)
    )


def payment_key(order_ref: str) -> str:
    """The ledger key of an order's payment posting (one per order)."""
    return f"payment:{order_ref}"


def posted_shipping(order_ref: str) -> dict[str, int]:
    """The shipping split lines the order's payment posted (ref -> amount): its parcels, when it had some.

    A refund of shipping gives each parcel back its part, as frozen at payment (never re-derived)."""
    rows = (
        SplitLine.objects.filter(
            order_ref=order_ref,
            transaction__idempotency_key=payment_key(order_ref),
            line_ref__startswith="shipping:",
        )
        .values("line_ref")
        .annotate(total=Sum("amount"))
    )
    return {row["line_ref"]: row["total"] for row in rows if row["line_ref"] != "shipping:tax"}
