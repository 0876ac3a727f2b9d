"""Pages of unit onboarding: parse, authorize, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import clock
from core.forms import add_service_error
from core.refusals import refusal_as_message
from unit_onboarding import agreements, designers, documents, payees, selectors, services
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.forms import (
    AgreementVersionForm,
    ApplicationForm,
    DesignerClaimForm,
    DesignerForm,
    DocumentForm,
    EntityPayoutForm,
    ProfileForm,
    TransitionForm,
    UnitPayoutForm,
)
from unit_onboarding.models import AgreementVersion, Application, Designer, Document, PayeeChange, Unit
from unit_onboarding.permissions import (
    can_change_agreement,
    can_edit_profile,
    can_manage_designers,
    can_manage_members,
    can_view_application,
    can_view_designers,
    can_view_unit,
    is_reviewer,
)
from unit_onboarding.selectors import unit_or_404

S = Application.Status


def _application_for(request: HttpRequest, pk: int) -> Application:
    """The application if this user may see it; others get 404 (its existence is not disclosed)."""
    application = get_object_or_404(
        Application.objects.select_related("unit", "unit__operating_entity"), pk=pk
    )
    if not can_view_application(request.user, application):
        raise Http404
    return application


def _unit_for(request: HttpRequest, uid) -> Unit:
    return unit_or_404(request.user, uid, can_view_unit)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "unit_onboarding/home.html",
        {
            "applications": selectors.applications_of(request.user),
            "units": selectors.units_of(request.user),
            "reviewer": is_reviewer(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """Resume the user's open application, or start one."""
    application = selectors.open_application_of(request.user)
    if application is None:
        if request.method != "POST":
            return render(request, "unit_onboarding/apply_start.html")
        application = services.application_start(applicant=request.user, language=translation.get_language())
    return redirect("unit_onboarding:application", pk=application.pk)


@login_required
@require_http_methods(["GET", "POST"])
def application(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant's form (save draft / submit) while editable; otherwise its status and history."""
    app = _application_for(request, pk)
    editable = app.applicant_id == request.user.pk and app.status in services.EDITABLE
    form = None
    if editable:
        submitting = request.method == "POST" and "submit" in request.POST
        form = ApplicationForm(request.POST or None, instance=app.unit, submitting=submitting)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():  # a refused submission saves nothing either
                    services.application_save(
                        application=app,
                        unit_data=form.unit_data(),
                        entity_data=form.entity_data(),
                        payout_data=form.payout_data(),
                    )
                    if submitting:
                        services.application_transition(
                            application=app, to_status=S.SUBMITTED, actor=request.user
                        )
            except OnboardingError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Application submitted.") if submitting else _("Draft saved."))
                return redirect("unit_onboarding:application", pk=app.pk)
    return render(
        request,
        "unit_onboarding/application.html",
        {
            "application": app,
            "form": form,
            "document_form": DocumentForm() if editable else None,
            "documents": app.documents.order_by("uploaded_at"),
            "transitions": app.transitions.select_related("actor"),
            "missing": _missing_labels(form, services.application_missing(app)) if editable else [],
            "reviewer": is_reviewer(request.user),
        },
        status=200 if request.method == "GET" or form is None or not form.errors else 400,
    )


def _missing_labels(form: ApplicationForm, missing: list[str]) -> list[str]:
    """What is still needed, named as the form names it, in the user's language."""
    labels = []
    for name in missing:
        if name.startswith("document_"):
            labels.append(str(Document.Kind(name.removeprefix("document_")).label))
        else:
            labels.append(str(form.fields[name].label))
    return labels


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application_for(request, pk)
    if app.applicant_id != request.user.pk:
        raise PermissionDenied
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(
                application=app,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                actor=request.user,
            )
        except OnboardingError as error:
            add_service_error(form, error, "file")
        else:
            messages.success(request, _("Document uploaded."))
            return redirect("unit_onboarding:application", pk=app.pk)
    return render(
        request,
        "unit_onboarding/document_refused.html",
        {"application": app, "document_form": form},
        status=400,
    )


def _document_for(request: HttpRequest, pk: int) -> Document:
    document = get_object_or_404(Document.objects.select_related("application"), pk=pk)
    if not can_view_application(request.user, document.application):
        raise Http404
    return document


@login_required
def document_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Redirect to a fresh short-lived link; only the applicant and reviewers get one."""
    document = _document_for(request, pk)
    return redirect(documents.document_link(document, request.user.pk))


@login_required
@require_POST
def document_remove(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    if document.application.applicant_id != request.user.pk:
        raise PermissionDenied
    with refusal_as_message(request, OnboardingError):
        services.document_delete(document=document)
    return redirect("unit_onboarding:application", pk=document.application_id)


@login_required
def document_blob(request: HttpRequest, token: str) -> HttpResponse:
    document = documents.document_from_token(token, request.user.pk)
    if document is None or not can_view_application(request.user, document.application):
        raise Http404
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not is_reviewer(request.user):
        raise PermissionDenied
    return render(request, "unit_onboarding/review_queue.html", {"applications": selectors.review_queue()})


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer's view of one application, with the transitions their role allows."""
    if not is_reviewer(request.user):
        raise PermissionDenied
    app = _application_for(request, pk)
    form = TransitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_as_message(request, OnboardingError):
            services.application_transition(
                application=app,
                to_status=form.cleaned_data["to_status"],
                actor=request.user,
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Application updated."))
        return redirect("unit_onboarding:review", pk=app.pk)
    actions = [
        to for (frm, to), who in services.TRANSITIONS.items() if frm == app.status and who == "reviewer"
    ]
    return render(
        request,
        "unit_onboarding/review.html",
        {
            "application": app,
            "unit": app.unit,
            "entity": app.unit.operating_entity,
            "documents": app.documents.order_by("uploaded_at"),
            "transitions": app.transitions.select_related("actor"),
            "actions": [(to, S(to).label) for to in actions],
            "form": form,
            "agreement": selectors.agreement_version_in_force(app.unit, clock.now()),
            "proposed": selectors.agreement_versions(app.unit)
            .filter(status=AgreementVersion.Status.PROPOSED)
            .first(),
        },
    )


@login_required
def unit_detail(request: HttpRequest, uid) -> HttpResponse:
    unit = _unit_for(request, uid)
    return render(
        request,
        "unit_onboarding/unit.html",
        {
            "unit": unit,
            "reviewer": is_reviewer(request.user),
            "can_edit_profile": can_edit_profile(request.user, unit),
            "can_manage_members": can_manage_members(request.user, unit),
            "can_change_agreement": can_change_agreement(request.user, unit),
            "can_manage_designers": can_manage_designers(request.user, unit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_payout_details(request: HttpRequest, uid) -> HttpResponse:
    """Where the unit's money goes: its own account and its operating entity's. Finance asks for changes
    here; each takes effect when platform finance confirms it."""
    unit = _designers_unit_for(request, uid, can_manage_designers)
    entity = getattr(unit, "operating_entity", None)
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("which") if posted else None
    form = UnitPayoutForm(posted if which == "unit" else None, unit=unit)
    entity_form = (
        EntityPayoutForm(posted if which == "entity" else None, entity=entity) if entity is not None else None
    )
    bound = form if which == "unit" else entity_form if which == "entity" else None
    if posted and bound is None:
        return HttpResponse(_("Say which account to change."), status=400)
    if bound is not None and bound.is_valid():
        payee = payees.unit_payee(unit) if which == "unit" else payees.entity_payee(unit)
        try:
            payees.payee_change_request(
                payee=payee,
                data=bound.request_data(),
                actor=request.user,
                language=translation.get_language(),
            )
        except OnboardingError as error:
            add_service_error(bound, error, "payout_bank_account" if which == "unit" else "bank_account")
        else:
            messages.success(
                request,
                _("The change was requested. It takes effect once a member of platform finance confirms it."),
            )
            return redirect("unit_onboarding:payout", uid=unit.uid)
    return render(
        request,
        "unit_onboarding/payout.html",
        {
            "unit": unit,
            "entity": entity,
            "form": form,
            "entity_form": entity_form,
            "unit_pending": payees.pending_change(payees.unit_payee(unit)),
            "entity_pending": payees.pending_change(payees.entity_payee(unit)) if entity else None,
            "history": payees.payee_changes_of(unit),
        },
        status=400 if bound is not None and bound.errors else 200,
    )


@login_required
@require_POST
def payee_change_withdraw(request: HttpRequest, uid, pk: int) -> HttpResponse:
    """Take back a pending payout change of this unit (its requester or the unit's finance staff)."""
    unit = _designers_unit_for(request, uid, can_manage_designers)
    change = get_object_or_404(PayeeChange, pk=pk, unit=unit)
    with refusal_as_message(request, OnboardingError):
        payees.payee_change_withdraw(
            change_id=change.pk, actor=request.user, language=translation.get_language()
        )
        messages.success(request, _("The request was withdrawn; the account on record is unchanged."))
    if change.designer_id:
        return redirect("unit_onboarding:designer", uid=unit.uid, slug=change.designer.slug)
    return redirect("unit_onboarding:payout", uid=unit.uid)


@login_required
@require_POST
def unit_provision_retry(request: HttpRequest, uid) -> HttpResponse:
    unit = _unit_for(request, uid)
    if not is_reviewer(request.user):
        raise PermissionDenied
    services.unit_provisioning_retry(unit=unit)
    messages.info(request, _("Provisioning was started again."))
    return redirect("unit_onboarding:unit", uid=unit.uid)


@login_required
@require_http_methods(["GET", "POST"])
def unit_profile(request: HttpRequest, uid) -> HttpResponse:
    unit = _unit_for(request, uid)
    if not can_edit_profile(request.user, unit):
        raise PermissionDenied
    form = ProfileForm(request.POST or None, request.FILES or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        services.unit_profile_update(unit=unit, data=form.cleaned_data)
        messages.success(request, _("Profile saved."))
        return redirect("unit_onboarding:unit", uid=unit.uid)
    return render(request, "unit_onboarding/profile.html", {"unit": unit, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def unit_agreement(request: HttpRequest, uid) -> HttpResponse:
    """The unit's agreement versions (in force, proposed, decided); finance proposes a new one here."""
    unit = _designers_unit_for(request, uid)
    may_change = can_change_agreement(request.user, unit)
    form = AgreementVersionForm(request.POST or None, unit=unit) if may_change else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                agreements.agreement_version_propose(
                    unit=unit,
                    effective_from=form.cleaned_data["effective_from"],
                    effective_to=form.cleaned_data["effective_to"],
                    shares=form.shares(),
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    fee_rule=form.cleaned_data["fee_rule"],
                    tax_rule=form.cleaned_data["tax_rule"],
                    shipping_rule=form.cleaned_data["shipping_rule"],
                )
            except OnboardingError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Version proposed. It takes force from its start once a member of platform finance,"
                        " not you, approves it."
                    ),
                )
                return redirect("unit_onboarding:agreement", uid=unit.uid)
    versions = list(selectors.agreement_versions(unit))
    return render(
        request,
        "unit_onboarding/agreement.html",
        {
            "unit": unit,
            "form": form,
            "versions": versions,
            "in_force": selectors.agreement_version_in_force(unit, clock.now()),
            "proposed": next((v for v in versions if v.status == v.Status.PROPOSED), None),
            "may_change": may_change,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def agreement_version_withdraw(request: HttpRequest, uid, pk: int) -> HttpResponse:
    """Take back a proposed version of this unit's agreement (its proposer or the unit's finance staff)."""
    unit = _designers_unit_for(request, uid, can_change_agreement)
    version = get_object_or_404(AgreementVersion, pk=pk, agreement__unit=unit)
    with refusal_as_message(request, OnboardingError):
        agreements.agreement_version_withdraw(version_id=version.pk, actor=request.user)
        messages.success(request, _("The proposal was withdrawn; the terms in force are unchanged."))
    return redirect("unit_onboarding:agreement", uid=unit.uid)


def _designers_unit_for(request: HttpRequest, uid, may=None) -> Unit:
    """The unit if the user may see its designers (members, reviewers, platform finance); else 404. With
    `may`, 403 too unless `may(user, unit)` lets them act on it."""
    unit = get_object_or_404(Unit, uid=uid)
    if not can_view_designers(request.user, unit):
        raise Http404
    if may is not None and not may(request.user, unit):
        raise PermissionDenied
    return unit


def _designer_for(request: HttpRequest, uid, slug: str) -> tuple[Unit, Designer]:
    """The unit and its designer `slug` (else 404), for whoever manages its designers (else 403)."""
    unit = _designers_unit_for(request, uid)
    designer = designers.designer_of_unit(unit=unit, slug=slug)
    if designer is None:
        raise Http404
    if not can_manage_designers(request.user, unit):
        raise PermissionDenied
    return unit, designer


@login_required
@require_http_methods(["GET", "POST"])
def unit_designers(request: HttpRequest, uid) -> HttpResponse:
    """The unit's designers and whether each can be paid; finance registers new ones here."""
    unit = _designers_unit_for(request, uid)
    may_manage = can_manage_designers(request.user, unit)
    form = DesignerForm(request.POST or None) if may_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                designer = designers.designer_register(
                    unit=unit,
                    slug=form.cleaned_data["slug"],
                    data=form.service_data(),
                    actor=request.user,
                    language=translation.get_language(),
                )
            except OnboardingError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Designer %(name)s registered.") % {"name": designer})
                if payees.pending_change(payees.designer_payee(designer)):
                    messages.info(
                        request,
                        _(
                            "Their payout details take effect once a member of platform finance confirms"
                            " them; until then their payouts are held."
                        ),
                    )
                return redirect("unit_onboarding:designers", uid=unit.uid)
    return render(
        request,
        "unit_onboarding/designers.html",
        {"unit": unit, "form": form, "designers": designers.designers_of(unit), "may_manage": may_manage},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_designer(request: HttpRequest, uid, slug: str) -> HttpResponse:
    """Change a designer's names or payout details (finance only)."""
    unit, designer = _designer_for(request, uid, slug)
    form = DesignerForm(request.POST or None, designer=designer)
    if request.method == "POST" and form.is_valid():
        try:
            change = designers.designer_update(
                designer=designer,
                data=form.service_data(),
                actor=request.user,
                language=translation.get_language(),
            )
        except OnboardingError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Designer %(name)s saved.") % {"name": designer})
            if change is not None:
                messages.info(
                    request,
                    _("The payout change was requested. It takes effect once platform finance confirms it."),
                )
            return redirect("unit_onboarding:designer", uid=unit.uid, slug=designer.slug)
    payee = payees.designer_payee(designer)
    return render(
        request,
        "unit_onboarding/designer.html",
        {
            "unit": unit,
            "designer": designer,
            "form": form,
            "claim_form": DesignerClaimForm(),
            "claim": designer.claims.filter(status="pending").first(),
            "pending": payees.pending_change(payee),
            "history": [c for c in payees.payee_changes_of(unit) if c.designer_id == designer.pk],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def designer_claim_send(request: HttpRequest, uid, slug: str) -> HttpResponse:
    """Offer the designer behind a registration to link it to their account (finance only)."""
    unit, designer = _designer_for(request, uid, slug)
    form = DesignerClaimForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address."))
    else:
        with refusal_as_message(request, OnboardingError):
            designers.designer_claim_invite(
                designer=designer,
                email=form.cleaned_data["email"],
                actor=request.user,
                language=translation.get_language(),
            )
            messages.success(
                request, _("Sent. The registration is linked when the designer accepts with that address.")
            )
    return redirect("unit_onboarding:designer", uid=unit.uid, slug=designer.slug)
