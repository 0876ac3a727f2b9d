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
from core.forms import add_service_error
from core.refusals import refusal_as_message, shop_outcome
from payments.error_codes import FundingError
from promotions import campaigns, selectors, services
from promotions.error_codes import PromotionError
from promotions.forms import CampaignForm, PromotionForm
from promotions.models import PlatformCampaign, UnitPromotion
from unit_onboarding.models import Unit
from unit_onboarding.selectors import unit_or_404


def _unit_for(request: HttpRequest, uid) -> Unit:
    return unit_or_404(request.user, uid, services.may_view)


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
                add_service_error(form, error)
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
    with refusal_as_message(request, PromotionError):
        if action == "approve":
            shop_outcome(
                request,
                services.promotion_approve(promotion_id=found.pk, actor=request.user),
                _("The shop refused the promotion: %(error)s"),
                _("Promotion approved and created in the shop."),
            )
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
    return redirect("promotions:unit_promotions", uid=unit.uid)


# --- platform campaigns: platform finance (others 404); units' operators opt their own products in


def _platform(request: HttpRequest) -> None:
    if not campaigns.may_manage(request.user):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def campaign_list(request: HttpRequest) -> HttpResponse:
    _platform(request)
    with timezone.override(clock.business_tz()):
        form = CampaignForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                campaign = campaigns.campaign_propose(actor=request.user, **form.service_kwargs())
            except PromotionError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("Campaign proposed: another member of platform finance approves it.")
                )
                return redirect("promotions:campaign_page", platform_campaign=campaign.uid)
        return render(
            request,
            "promotions/campaign_list.html",
            {"campaigns": selectors.campaigns_listed(), "form": form},
            status=400 if form.errors else 200,
        )


@login_required
def campaign_page(request: HttpRequest, platform_campaign) -> HttpResponse:
    _platform(request)
    found = get_object_or_404(PlatformCampaign, uid=platform_campaign)
    rows, total = selectors.campaign_report(found)
    with timezone.override(clock.business_tz()):
        return render(
            request,
            "promotions/campaign_page.html",
            {
                "campaign": found,
                "rows": rows,
                "total": total,
                "opt_ins": selectors.campaign_opt_ins(found),
                "versions": selectors.campaign_funding_versions(found),
                "funders": PlatformCampaign.Funder.choices,
            },
        )


@login_required
@require_POST
def campaign_decide(request: HttpRequest, platform_campaign) -> HttpResponse:
    _platform(request)
    found = get_object_or_404(PlatformCampaign, uid=platform_campaign)
    action = request.POST.get("action")
    with refusal_as_message(request, PromotionError):
        if action == "approve":
            shop_outcome(
                request,
                campaigns.campaign_approve(campaign_id=found.pk, actor=request.user),
                _("The shop refused the campaign: %(error)s"),
                _("Campaign approved and created in the shop."),
            )
        elif action == "reject":
            campaigns.campaign_reject(campaign_id=found.pk, actor=request.user)
            messages.success(request, _("Campaign rejected."))
        else:
            raise Http404
    return redirect("promotions:campaign_page", platform_campaign=found.uid)


@login_required
@require_POST
def campaign_funding(request: HttpRequest, platform_campaign) -> HttpResponse:
    """Propose new funding terms, or approve a proposal (another member of platform finance)."""
    _platform(request)
    found = get_object_or_404(PlatformCampaign, uid=platform_campaign)
    with refusal_as_message(request, PromotionError, FundingError):
        if request.POST.get("action") == "approve":
            campaigns.campaign_funding_approve(
                campaign_id=found.pk, version_id=_int(request.POST.get("version")), actor=request.user
            )
            messages.success(request, _("The new funding applies to orders paid from now on."))
        else:
            campaigns.campaign_funding_propose(
                campaign_id=found.pk,
                actor=request.user,
                funder=request.POST.get("funder", ""),
                platform_bps=_int(request.POST.get("platform_bps")),
                note=request.POST.get("note", "")[:1000],
            )
            messages.success(request, _("Proposed: another member of platform finance approves it."))
    return redirect("promotions:campaign_page", platform_campaign=found.uid)


def _int(raw) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def unit_campaigns(request: HttpRequest, uid) -> HttpResponse:
    """The campaigns a unit may join and its products in them; its operators opt products in."""
    unit = _unit_for(request, uid)
    may_opt_in = services.may_propose(request.user, unit)
    if request.method == "POST":
        if not may_opt_in:
            raise Http404
        found = get_object_or_404(
            PlatformCampaign, uid=request.POST.get("campaign") or None, status=PlatformCampaign.Status.LIVE
        )
        with refusal_as_message(request, PromotionError):
            campaigns.campaign_opt_in(
                campaign_id=found.pk,
                unit=unit,
                listing_id=_int(request.POST.get("listing")) or 0,
                actor=request.user,
            )
            messages.success(request, _("The product joins the campaign."))
        return redirect("promotions:unit_campaigns", uid=unit.uid)
    with timezone.override(clock.business_tz()):
        return render(
            request,
            "promotions/unit_campaigns.html",
            {
                "unit": unit,
                "campaigns": selectors.live_campaigns_for_units(clock.now()),
                "opt_ins": selectors.unit_opt_ins(unit),
                "listings": selectors.unit_listings_in_shop(unit) if may_opt_in else [],
                "may_opt_in": may_opt_in,
            },
        )
