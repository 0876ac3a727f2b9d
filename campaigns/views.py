"""Back-office pages of campaigns: a unit's operators draft, submit and post updates; curators review.

Every campaign is reached through the signed-in user's unit: another unit's campaign is a 404, the review
pages are curators' only (403), as in the catalog.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaigns import selectors, services
from campaigns.error_codes import CampaignError
from campaigns.forms import (
    CampaignForm,
    CancelDecisionForm,
    CancelRequestForm,
    UpdateForm,
    initial_of,
)
from campaigns.models import BackerRefund, Campaign, CampaignCancellation, CampaignRefund
from catalog.forms import ReviewForm
from catalog.permissions import can_manage_listings, is_curator
from core import clock
from core.finance import is_platform_finance
from core.forms import add_service_error
from core.refusals import refusal_as_message, shop_outcome
from saleor_app.app_client import app_client
from saleor_app.errors import SaleorNotInstalled
from unit_onboarding.models import Unit
from unit_onboarding.selectors import unit_or_404


def _unit_for(request: HttpRequest, uid) -> Unit:
    return unit_or_404(request.user, uid, can_manage_listings)


def _campaign_for(request: HttpRequest, campaign) -> Campaign:
    found = get_object_or_404(Campaign.objects.select_related("unit", "listing"), uid=campaign)
    if not services.may_manage(request.user, found):
        raise Http404
    return found


@login_required
def unit_campaigns(request: HttpRequest, uid) -> HttpResponse:
    unit = _unit_for(request, uid)
    now = clock.now()
    rows = [(c, selectors.progress(c), selectors.days_left(c, now)) for c in selectors.unit_campaigns(unit)]
    return render(request, "campaigns/unit_campaigns.html", {"unit": unit, "rows": rows})


def _save(request: HttpRequest, unit: Unit, campaign: Campaign | None) -> HttpResponse:
    with timezone.override(clock.business_tz()):  # times are typed in Beijing time
        if request.method == "POST":
            form = CampaignForm(request.POST, unit=unit)
        else:
            form = CampaignForm(initial=initial_of(campaign) if campaign else None, unit=unit)
        if request.method == "POST" and form.is_valid():
            try:
                saved = services.campaign_save(
                    unit=unit, actor=request.user, campaign=campaign, **form.service_kwargs()
                )
            except CampaignError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Campaign saved."))
                return redirect("campaigns:campaign", campaign=saved.uid)
    return render(
        request,
        "campaigns/campaign_form.html",
        {"unit": unit, "campaign": campaign, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest, uid) -> HttpResponse:
    return _save(request, _unit_for(request, uid), None)


@login_required
@require_http_methods(["GET", "POST"])
def campaign(request: HttpRequest, campaign) -> HttpResponse:
    found = _campaign_for(request, campaign)
    if request.method == "POST" or request.GET.get("edit"):
        return _save(request, found.unit, found)
    return render(
        request,
        "campaigns/campaign.html",
        {
            "unit": found.unit,
            "campaign": found,
            "progress": selectors.progress(found),
            "days_left": selectors.days_left(found, clock.now()),
            "update_form": UpdateForm(),
            "refunds": found.refunds.order_by("pk"),
            "cancellations": found.cancellations.select_related("requested_by", "decided_by"),
            "cancel_form": CancelRequestForm(),
            "cancellable": found.state in services.CANCELLABLE,
            "backer_refunds": found.backer_refunds.select_related("decided_by"),
        },
    )


@login_required
@require_POST
def campaign_submit(request: HttpRequest, campaign) -> HttpResponse:
    found = _campaign_for(request, campaign)
    with refusal_as_message(request, CampaignError):
        services.campaign_submit(campaign=found, actor=request.user)
        messages.success(request, _("Submitted for review."))
    return redirect("campaigns:campaign", campaign=found.uid)


@login_required
@require_POST
def campaign_update_post(request: HttpRequest, campaign) -> HttpResponse:
    found = _campaign_for(request, campaign)
    form = UpdateForm(request.POST)
    if form.is_valid():
        with refusal_as_message(request, CampaignError):
            services.campaign_update_post(campaign=found, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Update posted."))
    else:
        messages.error(request, _("Write the update in Chinese at least."))
    return redirect("campaigns:campaign", campaign=found.uid)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not is_curator(request.user):
        raise PermissionDenied
    return render(request, "campaigns/review_queue.html", {"campaigns": selectors.review_queue()})


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, campaign) -> HttpResponse:
    if not is_curator(request.user):
        raise PermissionDenied
    found = get_object_or_404(Campaign.objects.select_related("unit", "listing"), uid=campaign)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_review(
                campaign=found,
                reviewer=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["reason"],
            )
        except CampaignError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("campaigns:review_queue")
    return render(
        request,
        "campaigns/review.html",
        {"campaign": found, "unit": found.unit, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def campaign_cancel_request(request: HttpRequest, campaign) -> HttpResponse:
    found = _campaign_for(request, campaign)
    form = CancelRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why."))
        return redirect("campaigns:campaign", campaign=found.uid)
    with refusal_as_message(request, CampaignError):
        services.campaign_cancel_request(campaign=found, actor=request.user, **form.cleaned_data)
        messages.success(
            request, _("Cancellation asked: the unit's finance or platform finance confirms it.")
        )
    return redirect("campaigns:campaign", campaign=found.uid)


def _may_see_cancellation(user, cancellation: CampaignCancellation) -> bool:
    return user.pk == cancellation.requested_by_id or services.may_confirm_cancellation(user, cancellation)


@login_required
def cancellations(request: HttpRequest) -> HttpResponse:
    """Cancellations waiting for this person's confirmation (their unit's; all for platform finance)."""
    waiting = [
        c for c in selectors.cancellations_waiting() if services.may_confirm_cancellation(request.user, c)
    ]
    return render(request, "campaigns/cancellations.html", {"cancellations": waiting})


@login_required
@require_http_methods(["GET", "POST"])
def cancellation(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        CampaignCancellation.objects.select_related("campaign__unit", "requested_by", "decided_by"), pk=pk
    )
    if not _may_see_cancellation(request.user, found):
        raise Http404
    form = CancelDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "confirm":
                services.campaign_cancel_confirm(cancellation_id=found.pk, actor=request.user)
                messages.success(request, _("The campaign is cancelled: every backer is refunded in full."))
            else:
                services.campaign_cancel_refuse(
                    cancellation_id=found.pk, actor=request.user, note=form.cleaned_data["note"]
                )
                messages.success(request, _("Decision recorded."))
        except CampaignError as error:
            form.add_error(None, error.message)
        else:
            return redirect("campaigns:cancellation", pk=found.pk)
    campaign = found.campaign
    return render(
        request,
        "campaigns/cancellation.html",
        {
            "cancellation": found,
            "campaign": campaign,
            "unit": campaign.unit,
            "progress": selectors.progress(campaign),
            "may_decide": found.status == CampaignCancellation.Status.REQUESTED
            and services.may_confirm_cancellation(request.user, found),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _platform_finance(request: HttpRequest) -> None:
    if not is_platform_finance(request.user):
        raise Http404


@login_required
def finance_refunds(request: HttpRequest) -> HttpResponse:
    """Platform finance's view of campaign refunds not yet with Saleor: why parked, attempts, next retry."""
    _platform_finance(request)
    rows = [(r, services.refund_next_retry(r)) for r in selectors.refunds_for_finance()]
    return render(request, "campaigns/finance_refunds.html", {"rows": rows})


@login_required
@require_POST
def finance_refund_retry(request: HttpRequest, pk: int) -> HttpResponse:
    _platform_finance(request)
    get_object_or_404(CampaignRefund, pk=pk)
    with refusal_as_message(request, SaleorNotInstalled, CampaignError):
        refund = services.campaign_refund_retry_now(refund_id=pk, actor=request.user, client=app_client())
        if refund.status == CampaignRefund.Status.REQUESTED:
            messages.success(request, _("Refund requested from Saleor."))
        else:
            messages.error(request, _("The refund failed again: %(error)s") % {"error": refund.last_error})
    return redirect("campaigns:finance_refunds")


@login_required
@require_POST
def backer_refund_decide(request: HttpRequest, campaign, pk: int) -> HttpResponse:
    found = _campaign_for(request, campaign)
    refund = get_object_or_404(BackerRefund, pk=pk, campaign=found)
    with refusal_as_message(request, CampaignError, SaleorNotInstalled):
        decided = services.backer_refund_decide(
            refund_id=refund.pk,
            actor=request.user,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
        shop_outcome(request, decided, _("Saleor refused the refund: %(error)s"), _("Decision recorded."))
    return redirect("campaigns:campaign", campaign=found.uid)
