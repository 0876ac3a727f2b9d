"""Operator pages of orders: a unit sees and fulfils only its own lines."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from orders import selectors, services
from orders.error_codes import OrderInputError
from orders.models import Order
from saleor_app.errors import SaleorError
from unit_onboarding.models import Unit, UnitMembership
from unit_onboarding.permissions import can_view_unit, unit_roles


def _unit_for(request: HttpRequest, uid) -> Unit:
    unit = get_object_or_404(Unit, uid=uid)
    if not can_view_unit(request.user, unit):
        raise Http404
    return unit


def _order_for(unit: Unit, pk: int) -> Order:
    order = selectors.unit_order(unit, pk)
    if order is None:  # another unit's order: its existence is not disclosed
        raise Http404
    return order


@login_required
def order_list(request: HttpRequest, uid) -> HttpResponse:
    unit = _unit_for(request, uid)
    return render(request, "orders/list.html", {"unit": unit, "orders": selectors.unit_orders(unit)[:200]})


@login_required
def order_detail(request: HttpRequest, uid, pk: int) -> HttpResponse:
    unit = _unit_for(request, uid)
    order = _order_for(unit, pk)
    lines = list(selectors.unit_lines(unit, order))
    is_operator = UnitMembership.Role.OPERATOR in unit_roles(request.user, unit)
    return render(
        request,
        "orders/detail.html",
        {
            "unit": unit,
            "order": order,
            "lines": lines,
            "fulfilments": selectors.unit_fulfilments(unit, order),
            # the shipping form only while something of this unit is left to ship
            "can_fulfil": is_operator and any(line.quantity_to_fulfil for line in lines),
        },
    )


@login_required
@require_POST
def order_fulfil(request: HttpRequest, uid, pk: int) -> HttpResponse:
    unit = _unit_for(request, uid)
    order = _order_for(unit, pk)
    if UnitMembership.Role.OPERATOR not in unit_roles(request.user, unit):
        raise Http404
    quantities = {}
    for line in selectors.unit_lines(unit, order):
        raw = request.POST.get(f"line-{line.pk}", "").strip()
        quantities[line.pk] = int(raw) if raw.isdigit() else 0
    try:
        services.fulfilment_create(
            unit=unit,
            order=order,
            quantities=quantities,
            carrier=request.POST.get("carrier", ""),
            tracking_number=request.POST.get("tracking_number", ""),
        )
    except OrderInputError as exc:
        messages.error(request, exc.args[0])
    except SaleorError:
        messages.error(request, "Saleor could not be reached; nothing was fulfilled, try again shortly")
    else:
        messages.success(request, "Fulfilled; the buyer is notified with the tracking number")
    return redirect("orders:detail", uid=unit.uid, pk=order.pk)
