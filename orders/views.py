"""Operator pages of orders: a unit sees and fulfils only its own lines."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.finance import is_platform_finance
from orders import parcel_refunds, selectors, services
from orders.error_codes import SHIP_MESSAGES, OrderInputError, ship_message
from orders.error_codes import OrdersErrorCode as Code
from orders.models import Order, ParcelRefund
from saleor_app.errors import SaleorError
from unit_onboarding.models import Unit, UnitMembership
from unit_onboarding.permissions import can_view_unit, unit_roles
from unit_onboarding.selectors import unit_or_404


def _posted_quantities(request: HttpRequest, unit: Unit, order: Order, prefix: str) -> dict[int, int]:
    """This unit's lines of the order (pk -> quantity) as posted in "<prefix>-<pk>"; 0 if blank."""
    quantities = {}
    for line in selectors.unit_lines(unit, order):
        raw = request.POST.get(f"{prefix}-{line.pk}", "").strip()
        quantities[line.pk] = int(raw) if raw.isdigit() else 0
    return quantities


def _unit_for(request: HttpRequest, uid) -> Unit:
    return unit_or_404(request.user, uid, can_view_unit)


def _order_for(unit: Unit, pk: int) -> Order:
    order = selectors.unit_order(unit, pk)
    if order is None:  # another unit's order: its existence is not disclosed
        raise Http404
    return order


def _operator_unit_for(request: HttpRequest, uid) -> Unit:
    """The unit if the user operates it (ships, prints slips); anyone else gets 404."""
    unit = _unit_for(request, uid)
    if UnitMembership.Role.OPERATOR not in unit_roles(request.user, unit):
        raise Http404
    return unit


SHOWN = 200


def _list_page(
    request: HttpRequest, unit: Unit, shipments=None, carrier: str = "", status: int = 200
) -> HttpResponse:
    """The unit's orders; its operators get a bulk shipping form on the paid ones with goods left to ship
    (`shipments`: what was typed, by order pk, and why each was refused; `carrier`: the shared one typed)."""
    orders = list(selectors.unit_orders(unit)[:SHOWN])
    operator = UnitMembership.Role.OPERATOR in unit_roles(request.user, unit)
    shippable = selectors.unit_orders_to_ship(unit, [o.pk for o in orders]) if operator else set()
    typed = shipments or {}
    rows = [{"order": o, "shippable": o.pk in shippable, "typed": typed.get(o.pk)} for o in orders]
    context = {
        "unit": unit,
        "rows": rows,
        "operator": operator,
        "bulk": bool(shippable or typed),
        "carrier": carrier,
    }
    return render(request, "orders/list.html", context, status=status)


@login_required
def order_list(request: HttpRequest, uid) -> HttpResponse:
    return _list_page(request, _unit_for(request, uid))


@login_required
@require_POST
def orders_ship(request: HttpRequest, uid) -> HttpResponse:
    """Bulk "mark shipped": each chosen order through the single order's shipping service; refused rows
    come back with what was typed and why, the others are shipped."""
    unit = _operator_unit_for(request, uid)
    shared_carrier = request.POST.get("carrier", "").strip()
    shipments = [
        services.Shipment(
            order_pk=pk,
            carrier=request.POST.get(f"carrier-{pk}", "").strip() or shared_carrier,
            tracking_number=request.POST.get(f"tracking-{pk}", "").strip(),
        )
        for pk in dict.fromkeys(int(v) for v in request.POST.getlist("ship") if v.isdigit())
    ]
    if not shipments:
        messages.error(request, _("Choose at least one order to ship."))
        return redirect("orders:list", uid=unit.uid)
    outcomes = services.fulfilments_create_bulk(unit=unit, shipments=shipments)
    shipped = [o for o in outcomes if o.error is None]
    refused = {
        o.shipment.order_pk: {
            "carrier": o.shipment.carrier,
            "tracking": o.shipment.tracking_number,
            "error": ship_message(o.error),
        }
        for o in outcomes
        if o.error is not None and o.order is not None
    }
    if shipped:
        numbers = "、".join(f"#{o.order.number}" for o in shipped)
        messages.success(
            request,
            ngettext(
                "%(count)d order shipped (%(numbers)s); the buyers are notified with the tracking number.",
                "%(count)d orders shipped (%(numbers)s); the buyers are notified with the tracking numbers.",
                len(shipped),
            )
            % {"count": len(shipped), "numbers": numbers},
        )
    if len(shipped) == len(outcomes):
        return redirect("orders:list", uid=unit.uid)
    for outcome in outcomes:  # an order the page does not list (another unit's, or none): no row to show it
        if outcome.error is not None and outcome.order is None:
            messages.error(request, f"{outcome.shipment.order_pk}: {ship_message(outcome.error)}")
    messages.error(request, _("Some orders were not shipped; see the reason beside each."))
    return _list_page(request, unit, refused, shared_carrier, status=200 if shipped else 400)


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
            "operator": is_operator,
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
    unit = _operator_unit_for(request, uid)
    order = _order_for(unit, pk)
    quantities = _posted_quantities(request, unit, order, "line")
    try:
        services.fulfilment_create(
            unit=unit,
            order=order,
            quantities=quantities,
            carrier=request.POST.get("carrier", ""),
            tracking_number=request.POST.get("tracking_number", ""),
        )
    except OrderInputError as exc:
        messages.error(request, ship_message(exc))
    except SaleorError:
        messages.error(request, SHIP_MESSAGES[Code.SALEOR_UNREACHABLE])
    else:
        messages.success(request, _("Shipped; the buyer is notified with the tracking number."))
    return redirect("orders:detail", uid=unit.uid, pk=order.pk)


@login_required
def packing_slip(request: HttpRequest, uid, pk: int) -> HttpResponse:
    """The unit's parcel of an order, to print and put in the box: its lines only, no prices, the address."""
    unit = _operator_unit_for(request, uid)
    order = _order_for(unit, pk)
    if request.method not in (
        "GET",
        "HEAD",
    ):  # after the checks: another unit's slip is 404 whatever the method
        return HttpResponseNotAllowed(["GET"])
    return render(
        request,
        "orders/packing_slip.html",
        {"unit": unit, "order": order, "lines": list(selectors.unit_lines(unit, order))},
    )


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
    quantities = _posted_quantities(request, unit, order, "refund")
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
