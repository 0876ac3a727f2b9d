"""Design calls' pages: the unit's (/resources/units/<uid>/calls/…, its operators and finance members; another
unit's call is a 404), the designer's (answering a call; their proposals under /resources/me/) and the
public's (/library/calls/, /en/library/calls/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import images
from catalog.error_codes import CatalogError
from catalog.selectors import image_asset_derivative_url
from core import clock
from core.forms import add_service_error
from core.refusals import refusal_as_message
from resources import calls, statements
from resources.designer_views import profile_first
from resources.error_codes import ResourcesError
from resources.forms import DesignCallForm, ProposalForm, SelectionRejectForm
from resources.models import DesignCall
from resources.selectors import THUMB
from unit_onboarding.models import Unit


def _viewing_unit(request: HttpRequest, uid) -> Unit:
    unit = get_object_or_404(Unit, uid=uid)
    if not calls.can_view_calls(request.user, unit):
        raise Http404
    return unit


def _running_unit(request: HttpRequest, uid) -> Unit:
    unit = get_object_or_404(Unit, uid=uid)
    if not calls.can_run_calls(request.user, unit):
        raise Http404
    return unit


def _call_of(unit: Unit, pk: int) -> DesignCall:
    call = calls.call_of_unit(unit, pk)
    if call is None:
        raise Http404
    return call


@login_required
@require_GET
def unit_calls(request: HttpRequest, uid) -> HttpResponse:
    unit = _viewing_unit(request, uid)
    return render(
        request,
        "resources/calls/unit_calls.html",
        {"unit": unit, "rows": calls.calls_of_unit(unit), "can_run": calls.can_run_calls(request.user, unit)},
    )


def _call_form(request: HttpRequest, unit: Unit, call: DesignCall | None) -> HttpResponse:
    with timezone.override(clock.business_tz()):  # the deadline is typed and shown in Beijing time
        initial = None
        if call is not None:
            initial = {
                "title_zh": call.title_zh,
                "title_en": call.title_en,
                "objects": list(call.objects_called.all()),
                "category": call.category,
                "award_yuan": f"{call.award_fen // 100}.{call.award_fen % 100:02d}",
                "deadline": timezone.localtime(call.deadline),
                "rules": call.rules,
                "royalty_percent": call.royalty_percent,
            }
        form = DesignCallForm(
            request.POST if request.method == "POST" else None,
            initial=initial,
            objects_queryset=calls.callable_objects(unit),
        )
        if request.method == "POST" and form.is_valid():
            try:
                objects = list(form.cleaned_data["objects"])
                if call is None:
                    call = calls.call_post(
                        unit=unit, actor=request.user, data=form.service_data(), objects=objects
                    )
                    messages.success(request, _("The call is posted: designers can answer it now."))
                else:
                    calls.call_update(
                        call=call, actor=request.user, data=form.service_data(), objects=objects
                    )
                    messages.success(request, _("Saved."))
                return redirect("resources:call", uid=unit.uid, pk=call.pk)
            except ResourcesError as error:
                add_service_error(form, error)
        return render(
            request,
            "resources/calls/call_form.html",
            {"unit": unit, "call": call, "form": form},
            status=400 if form.errors else 200,
        )


@login_required
@require_http_methods(["GET", "POST"])
def call_new(request: HttpRequest, uid) -> HttpResponse:
    return _call_form(request, _running_unit(request, uid), None)


@login_required
@require_http_methods(["GET", "POST"])
def call_edit(request: HttpRequest, uid, pk: int) -> HttpResponse:
    unit = _running_unit(request, uid)
    return _call_form(request, unit, _call_of(unit, pk))


@login_required
@require_GET
def call(request: HttpRequest, uid, pk: int) -> HttpResponse:
    """The call, its proposals (with their pictures), the selection waiting for finance."""
    unit = _viewing_unit(request, uid)
    found = _call_of(unit, pk)
    proposals = [
        (p, [image_asset_derivative_url(asset=i.image, size=THUMB) for i in p.images.all()])
        for p in calls.proposals_of_call(found)
    ]
    with timezone.override(clock.business_tz()):
        return render(
            request,
            "resources/calls/call.html",
            {
                "unit": unit,
                "call": found,
                "proposals": proposals,
                "pending": calls.pending_selection(found),
                "closed": not calls.is_open(found),
                "can_run": calls.can_run_calls(request.user, unit),
                "can_confirm": calls.can_confirm_awards(request.user, unit),
                "reject_form": SelectionRejectForm(),
            },
        )


def _proposal_from_post(request: HttpRequest, found: DesignCall):
    proposal = calls.proposal_of_call(found, request.POST.get("proposal"))
    if proposal is None:
        raise Http404
    return proposal


@login_required
@require_POST
def call_shortlist(request: HttpRequest, uid, pk: int) -> HttpResponse:
    unit = _running_unit(request, uid)
    found = _call_of(unit, pk)
    proposal = _proposal_from_post(request, found)
    with refusal_as_message(request, ResourcesError):
        calls.proposal_shortlist(
            proposal=proposal, actor=request.user, shortlisted=request.POST.get("shortlisted", "1") == "1"
        )
    return redirect("resources:call", uid=unit.uid, pk=found.pk)


@login_required
@require_POST
def call_select(request: HttpRequest, uid, pk: int) -> HttpResponse:
    unit = _running_unit(request, uid)
    found = _call_of(unit, pk)
    proposal = _proposal_from_post(request, found)
    with refusal_as_message(request, ResourcesError):
        calls.selection_propose(proposal=proposal, actor=request.user)
        messages.success(request, _("Winner selected: a finance member of the unit confirms it."))
    return redirect("resources:call", uid=unit.uid, pk=found.pk)


@login_required
@require_POST
def call_decide(request: HttpRequest, uid, pk: int) -> HttpResponse:
    """A finance member confirms the waiting selection (the award and the draft listing) or rejects it."""
    unit = get_object_or_404(Unit, uid=uid)
    if not calls.can_confirm_awards(request.user, unit):
        raise Http404
    found = _call_of(unit, pk)
    pending = calls.pending_selection(found)
    if pending is None or str(pending.pk) != request.POST.get("selection"):
        messages.error(request, ResourcesError(calls.Code.SELECTION_NOT_PENDING).message)
        return redirect("resources:call", uid=unit.uid, pk=found.pk)
    with refusal_as_message(request, ResourcesError, CatalogError):
        if request.POST.get("decision") == "confirm":
            calls.selection_confirm(selection_id=pending.pk, actor=request.user)
            messages.success(
                request, _("Confirmed: the award is owed to the designer and the draft product is created.")
            )
        elif request.POST.get("decision") == "reject":
            calls.selection_reject(
                selection_id=pending.pk, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Selection rejected."))
    return redirect("resources:call", uid=unit.uid, pk=found.pk)


@login_required
@require_POST
def call_withdraw(request: HttpRequest, uid, pk: int) -> HttpResponse:
    """An operator withdraws the open call, with a reason the designers who answered read."""
    unit = _running_unit(request, uid)
    found = _call_of(unit, pk)
    with refusal_as_message(request, ResourcesError):
        calls.call_withdraw(call=found, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("The call is withdrawn: the designers who answered it are told by mail."))
    return redirect("resources:call", uid=unit.uid, pk=found.pk)


# --- the designer ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = calls.public_call(pk)
    if found is None:
        raise Http404
    to_profile = profile_first(request, _("Create your designer profile before answering a call."))
    if to_profile is not None:
        return to_profile
    form = ProposalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            calls.proposal_submit(
                call=found,
                user=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                uploads=form.uploads(),
                language=translation.get_language(),
            )
        except images.ImageRefused as refusal:
            form.add_error("image_1", refusal.message)
        except (ResourcesError, CatalogError) as error:
            form.add_error(
                getattr(error, "field", None) if getattr(error, "field", None) in form.fields else None,
                error.message,
            )
        else:
            messages.success(request, _("Your proposal was sent to %(unit)s.") % {"unit": found.unit})
            return redirect("resources:me_calls")
    with timezone.override(clock.business_tz()):
        return render(
            request,
            "resources/calls/proposal_form.html",
            {"call": found, "form": form, "open": calls.is_open(found)},
            status=400 if form.errors else (200 if calls.is_open(found) else 409),
        )


@login_required
@require_GET
def me_calls(request: HttpRequest) -> HttpResponse:
    """The designer's proposals and their outcomes, and the products credited to them."""
    with timezone.override(clock.business_tz()):
        return render(
            request,
            "resources/me/calls.html",
            {
                "proposals": calls.proposals_of(request.user),
                "products": calls.credited_listings(request.user),
            },
        )


@login_required
@require_GET
def me_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    found = calls.proposal_of(request.user, pk)
    if found is None:
        raise Http404
    pictures = [image_asset_derivative_url(asset=i.image, size=THUMB) for i in found.images.all()]
    with timezone.override(clock.business_tz()):
        return render(
            request,
            "resources/me/proposal.html",
            {"proposal": found, "pictures": pictures, "withdrawable": calls.proposal_withdrawable(found)},
        )


@login_required
@require_POST
def me_proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    found = calls.proposal_of(request.user, pk)
    if found is None:
        raise Http404
    with refusal_as_message(request, ResourcesError):
        calls.proposal_withdraw(proposal=found, user=request.user)
        messages.success(request, _("Proposal withdrawn."))
    return redirect("resources:me_proposal", pk=found.pk)


@login_required
@require_GET
def me_statement(request: HttpRequest) -> HttpResponse:
    """The royalty statement: the ledger entries of the account's designer parties by Beijing month."""
    return render(
        request,
        "resources/me/statement.html",
        {"months": statements.statement_of(request.user), "parties": statements.parties_of(request.user)},
    )


# --- the public --------------------------------------------------------------------------------------------


@require_GET
def public_calls(request: HttpRequest) -> HttpResponse:
    with timezone.override(clock.business_tz()):
        return render(request, "resources/calls/public_calls.html", {"rows": calls.open_calls()})


@require_GET
def public_call(request: HttpRequest, pk: int) -> HttpResponse:
    found = calls.public_call(pk)
    if found is None:
        raise Http404
    with timezone.override(clock.business_tz()):
        return render(
            request, "resources/calls/public_call.html", {"call": found, "open": calls.is_open(found)}
        )
