"""A unit's shipping rates in the back office: its operators and finance members, of that unit only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import clock
from core.forms import add_service_error
from shipping import selectors, services
from shipping.error_codes import ShippingError, ShippingErrorCode
from shipping.forms import RatesForm, fen_to_yuan
from unit_onboarding.models import Unit, UnitMembership
from unit_onboarding.permissions import unit_roles

EDITORS = {UnitMembership.Role.OPERATOR, UnitMembership.Role.FINANCE}


def can_edit_rates(user, unit: Unit) -> bool:
    """Shipping rates are the unit's own prices: its operators (who price its goods) and finance members."""
    return bool(unit_roles(user, unit) & EDITORS)


@login_required
@require_http_methods(["GET", "POST"])
def unit_rates(request: HttpRequest, uid) -> HttpResponse:
    unit = get_object_or_404(Unit, uid=uid)
    if not can_edit_rates(request.user, unit):
        raise Http404  # another unit's rates: not even their existence is disclosed
    latest = selectors.rates_latest(unit)
    form = RatesForm(request.POST or None, initial=RatesForm.initial_from(latest))
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rates_change(
                unit=unit,
                actor=request.user,
                based_on=data["based_on"],
                effective_from=data["effective_from"],
                default_rate=data["default_rate"],
                province_rates=data["province_rates"],
                free_over=data["free_over"],
                per_item=data["per_item"] or 0,
                pickup=data["pickup"],
            )
        except ShippingError as error:
            add_service_error(form, error)
            status = 409 if error.code == ShippingErrorCode.STALE_RATES else 400
        else:
            messages.success(request, _("Saved: carts priced from its start pay the new rates."))
            return redirect(request.path)
    if form.errors and status == 200:
        status = 400
    now = clock.now()
    in_force = selectors.rates_in_force(unit_ids=[unit.pk], at=now).get(unit.pk)
    history = [
        {
            "version": v,
            "in_force": in_force is not None and v.pk == in_force.pk,
            "scheduled": v.effective_from > now,
            "default_rate": fen_to_yuan(v.default_rate),
            "free_over": fen_to_yuan(v.free_over),
            "per_item": fen_to_yuan(v.per_item),
            "provinces": sorted((name, fen_to_yuan(fen)) for name, fen in v.province_rates.items()),
        }
        for v in selectors.rates_history(unit)
    ]
    return render(
        request, "shipping/rates.html", {"unit": unit, "form": form, "history": history}, status=status
    )
