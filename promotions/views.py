"""A unit's promotions: its operators propose, its finance members (another person) approve or reject.

Every page is reached through the unit: a person who is not its member gets 404, as in the catalog.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import clock
from promotions import selectors, services
from promotions.error_codes import PromotionError
from promotions.forms import PromotionForm
from promotions.models import UnitPromotion
from unit_onboarding.models import Unit


def _unit_for(request: HttpRequest, uid) -> Unit:
    unit = get_object_or_404(Unit, uid=uid)
    if not services.may_view(request.user, unit):
        raise Http404
    return unit


@login_required
def unit_promotions(request: HttpRequest, uid) -> HttpResponse:
    unit = _unit_for(request, uid)
    rows = [
        (p, used, services.may_approve(request.user, p) and p.status == UnitPromotion.Status.PROPOSED)
        for p, used in selectors.unit_promotions(unit)
    ]
    with timezone.override(clock.business_tz()):
        return render(
            request,
            "promotions/unit_promotions.html",
            {"unit": unit, "rows": rows, "may_propose": services.may_propose(request.user, unit)},
        )


@login_required
@require_http_methods(["GET", "POST"])
def promotion_new(request: HttpRequest, uid) -> HttpResponse:
    unit = _unit_for(request, uid)
    if not services.may_propose(request.user, unit):
        raise Http404
    with timezone.override(clock.business_tz()):  # times are typed in Beijing time
        form = PromotionForm(request.POST or None, unit=unit)
        if request.method == "POST" and form.is_valid():
            try:
                services.promotion_propose(unit=unit, actor=request.user, **form.service_kwargs())
            except PromotionError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Promotion proposed: the unit's finance approves it."))
                return redirect("promotions:unit_promotions", uid=unit.uid)
        return render(
            request,
            "promotions/promotion_form.html",
            {"unit": unit, "form": form},
            status=400 if form.errors else 200,
        )


@login_required
@require_POST
def promotion_decide(request: HttpRequest, uid, promotion) -> HttpResponse:
    unit = _unit_for(request, uid)
    found = get_object_or_404(UnitPromotion, uid=promotion, unit=unit)
    action = request.POST.get("action")
    try:
        if action == "approve":
            done = services.promotion_approve(promotion_id=found.pk, actor=request.user)
            if done.status == UnitPromotion.Status.FAILED:
                messages.error(
                    request, _("The shop refused the promotion: %(error)s") % {"error": done.last_error}
                )
            else:
                messages.success(request, _("Promotion approved and created in the shop."))
        elif action == "reject":
            services.promotion_reject(
                promotion_id=found.pk, actor=request.user, note=request.POST.get("note", "")
            )
            messages.success(request, _("Promotion rejected."))
        elif action == "withdraw":
            services.promotion_withdraw(promotion_id=found.pk, actor=request.user)
            messages.success(request, _("Promotion withdrawn."))
        else:
            raise Http404
    except PromotionError as error:
        messages.error(request, error.message)
    return redirect("promotions:unit_promotions", uid=unit.uid)
