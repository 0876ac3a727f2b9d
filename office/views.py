"""The back office's home (/office/) and a unit's dashboard, for the unit's own members."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from core import clock
from office import selectors
from unit_onboarding.models import Unit, UnitMembership
from unit_onboarding.permissions import unit_roles
from unit_onboarding.selectors import units_of


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Where unit staff land after signing in: their unit's dashboard, or a choice of units."""
    units = list(units_of(request.user))
    chosen = [u for u in units if str(u.uid) == request.GET.get("unit", "")]  # the unit switcher
    if chosen:
        return redirect("office:dashboard", uid=chosen[0].uid)
    if not units:
        return redirect("unit_onboarding:home")  # applicants, reviewers, platform finance
    if len(units) == 1:
        return redirect("office:dashboard", uid=units[0].uid)
    return render(request, "office/home.html", {"units": units})


@login_required
@require_GET
def dashboard(request: HttpRequest, uid) -> HttpResponse:
    unit = get_object_or_404(Unit, uid=uid)
    roles = unit_roles(request.user, unit)
    if not roles:
        raise Http404  # another unit's dashboard: not even its existence is disclosed
    operator = UnitMembership.Role.OPERATOR in roles
    today = clock.today()
    context = {
        "unit": unit,
        "operator": operator,
        "today": today,
        "sales": selectors.sales(unit, today),
        "to_ship": list(selectors.orders_to_ship(unit)),
        "now": clock.now(),
    }
    if operator:
        context |= {
            "listings": list(selectors.listings_to_act_on(unit)),
            "low_stock": list(selectors.low_stock(unit)),
            "licences": list(selectors.licences_expiring(unit, today)),
        }
    return render(request, "office/dashboard.html", context)
