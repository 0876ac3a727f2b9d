"""Reads of orders, always scoped: a unit never sees another unit's lines, a refund shows only its own."""

from __future__ import annotations

from django.db.models import Case, F, QuerySet, When

from orders.models import Fulfilment, Order, OrderLine, ParcelRefund
from unit_onboarding.models import Unit


def unit_orders(unit: Unit) -> QuerySet[Order]:
    return Order.objects.filter(lines__unit=unit).distinct().order_by("-created_in_saleor", "-pk")


def unit_order(unit: Unit, pk: int) -> Order | None:
    """The order if it holds at least one line of this unit."""
    return unit_orders(unit).filter(pk=pk).first()


def unit_lines(unit: Unit, order: Order) -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(order=order, unit=unit).order_by("pk")


def unit_fulfilments(unit: Unit, order: Order) -> QuerySet[Fulfilment]:
    return Fulfilment.objects.filter(order=order, unit=unit).order_by("pk")


# Saleor's charge states in which an order may be shipped (it refuses to fulfil an unpaid one).
PAID = ("FULL", "OVERCHARGED")


def unit_orders_to_ship(unit: Unit, order_pks: list[int]) -> set[int]:
    """Which of these orders are paid and hold goods of this unit left to ship (bulk shipping offers them)."""
    return set(
        OrderLine.objects.filter(
            unit=unit,
            order_id__in=order_pks,
            order__charge_status__in=PAID,
            quantity_fulfilled__lt=F("quantity"),
        ).values_list("order_id", flat=True)
    )


def unit_parcel_refunds(unit: Unit) -> QuerySet[ParcelRefund]:
    """The unit's parcel refunds, those waiting for a decision first."""
    waiting = Case(When(status=ParcelRefund.Status.REQUESTED, then=0), default=1)
    return (
        ParcelRefund.objects.filter(unit=unit)
        .select_related("order", "requested_by", "decided_by")
        .order_by(waiting, "-requested_at", "-pk")
    )


def parcel_refund_items(refund: ParcelRefund) -> list[dict]:
    """The refunded items: [{"product", "variant", "quantity"}] in the order of the refund's lines."""
    lines = OrderLine.objects.in_bulk([pk for pk, _ in refund.lines])
    return [
        {"product": lines[pk].product_name, "variant": lines[pk].variant_name, "quantity": quantity}
        for pk, quantity in refund.lines
        if pk in lines
    ]
