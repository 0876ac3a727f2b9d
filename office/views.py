"""The back office's home (/office/) and a unit's dashboard, for the unit's own members."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import charts, clock
from office import selectors
from payments.settlement import selectors as settlement_selectors
from unit_onboarding.models import OperatingEntity, Unit, UnitMembership
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
    currency = settings.SETTLEMENT_CURRENCY
    days = selectors.daily_sales(unit, currency, today)
    context["sales_chart"] = mark_safe(  # noqa: S308 (built from escaped labels and numbers only)
        charts.daily_bars_svg([(f"{d:%m-%d}", v) for d, v in days], title=_("Sales per day, last 30 days"))
    )
    if UnitMembership.Role.FINANCE in roles:
        parties = [unit.party_key, *(e.party_key for e in OperatingEntity.objects.filter(unit=unit))]
        names = settlement_selectors.party_names(parties)
        window = timedelta(days=settings.SETTLEMENT_RETURN_WINDOW_DAYS)
        context["payouts"] = [
            (
                names[party],
                settlement_selectors.next_payout(
                    party, currency, now=context["now"], period=settings.SETTLEMENT_PERIOD, window=window
                ),
            )
            for party in parties
        ]
        context["currency"] = currency
    if operator:
        context |= {
            "listings": list(selectors.listings_to_act_on(unit)),
            "low_stock": list(selectors.low_stock(unit)),
            "licences": list(selectors.licences_expiring(unit, today)),
        }
    return render(request, "office/dashboard.html", context)
