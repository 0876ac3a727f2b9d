"""Operator pages of orders: a unit sees and fulfils only its own lines."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.finance import is_platform_finance
from orders import parcel_refunds, selectors, services
from orders.error_codes import OrderInputError
from orders.models import Order, ParcelRefund
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
            **_refund_form(request, unit, order, lines),
        },
    )


def _refund_form(request: HttpRequest, unit: Unit, order: Order, lines) -> dict:
    """What the parcel refund form offers: this unit's lines with what is left, and the parcel's shipping."""
    if not parcel_refunds.may_request(request.user, unit):
        return {"can_refund": False}
    left = parcel_refunds.refundable_quantities(unit, order)
    return {
        "can_refund": True,
        "refundable": [(line, left[line.pk]) for line in lines if left.get(line.pk, 0) > 0],
        "parcel_shipping": parcel_refunds.parcel_shipping(order, unit),
    }


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


# --- parcel refunds ----------------------------------------------------------------------------------


def _refunds_unit_for(request: HttpRequest, uid) -> Unit:
    """The unit if the user is its member, a reviewer or platform finance (who decides refunds); else 404."""
    unit = get_object_or_404(Unit, uid=uid)
    if not (can_view_unit(request.user, unit) or is_platform_finance(request.user)):
        raise Http404
    return unit


@login_required
@require_POST
def parcel_refund_request(request: HttpRequest, uid, pk: int) -> HttpResponse:
    """Ask for a refund of some of this unit's lines of the order and/or its parcel's shipping."""
    unit = _unit_for(request, uid)
    order = _order_for(unit, pk)
    if not parcel_refunds.may_request(request.user, unit):
        raise Http404
    quantities = {}
    for line in selectors.unit_lines(unit, order):
        raw = request.POST.get(f"refund-{line.pk}", "").strip()
        quantities[line.pk] = int(raw) if raw.isdigit() else 0
    try:
        parcel_refunds.parcel_refund_request(
            unit=unit,
            order=order,
            quantities=quantities,
            shipping=request.POST.get("shipping") == "on",
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except OrderInputError as exc:
        messages.error(request, exc.args[0])
        return redirect("orders:detail", uid=unit.uid, pk=order.pk)
    messages.success(request, _("Refund requested: a finance member other than you approves it."))
    return redirect("orders:refunds", uid=unit.uid)


@login_required
def parcel_refund_list(request: HttpRequest, uid) -> HttpResponse:
    """This unit's parcel refunds, waiting ones first, with the decisions the user may take."""
    unit = _refunds_unit_for(request, uid)
    refunds = [
        (refund, parcel_refunds.may_decide(request.user, refund))
        for refund in selectors.unit_parcel_refunds(unit)
    ]
    return render(request, "orders/refunds.html", {"unit": unit, "refunds": refunds})


@login_required
@require_POST
def parcel_refund_decide(request: HttpRequest, uid, refund_id: int, decision: str) -> HttpResponse:
    """Approve (grant and refund in Saleor), refuse (with a reason) or withdraw a parcel refund."""
    if decision not in ("approve", "refuse", "withdraw"):
        raise Http404
    unit = _refunds_unit_for(request, uid)
    refund = get_object_or_404(ParcelRefund, pk=refund_id, unit=unit)
    try:
        if decision == "approve":
            refund = parcel_refunds.parcel_refund_approve(refund_id=refund.pk, actor=request.user)
        elif decision == "refuse":
            parcel_refunds.parcel_refund_refuse(
                refund_id=refund.pk, actor=request.user, note=request.POST.get("note", "")
            )
        else:
            parcel_refunds.parcel_refund_withdraw(refund_id=refund.pk, actor=request.user)
    except OrderInputError as exc:
        messages.error(request, exc.args[0])
    else:
        if refund.status == ParcelRefund.Status.FAILED:
            messages.error(request, _("Saleor refused the refund: %(error)s") % {"error": refund.last_error})
        else:
            messages.success(request, _("Done."))
    return redirect("orders:refunds", uid=unit.uid)
