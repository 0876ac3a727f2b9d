"""Pages of the catalog portal: parse, authorize, call one service, render.

Every object is reached through the signed-in user's unit: another unit's listing is a 404, a curator-only
page is a 403, so one unit can never read or change another's products.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from catalog import images, imports, listings, provenance, royalty_changes, selectors, services
from catalog.csv_rows import CsvUnreadable
from catalog.error_codes import CatalogError
from catalog.forms import (
    CollectionObjectForm,
    CsvForm,
    DesignerRoyaltyForm,
    ImageForm,
    IpLicenceForm,
    ListingCsvForm,
    ListingForm,
    ReviewForm,
    VariantFormSet,
    variant_initial,
)
from catalog.models import CollectionObject, Listing, ListingImage, ListingImport
from catalog.permissions import can_manage_listings, is_curator
from catalog.saleor_changes import listing_divergence_resolve
from core.forms import add_service_error
from core.refusals import refusal_as_message
from unit_onboarding.models import Unit
from unit_onboarding.permissions import can_manage_designers, can_view_designers
from unit_onboarding.selectors import unit_or_404, units_of


def _unit_for(request: HttpRequest, uid) -> Unit:
    return unit_or_404(request.user, uid, can_manage_listings)


def _listing_for(request: HttpRequest, uid) -> Listing:
    listing = get_object_or_404(Listing.objects.select_related("unit"), uid=uid)
    if not can_manage_listings(request.user, listing.unit):
        raise Http404
    return listing


@login_required
def home(request: HttpRequest) -> HttpResponse:
    units = [u for u in units_of(request.user) if can_manage_listings(request.user, u)]
    return render(request, "catalog/home.html", {"units": units, "curator": is_curator(request.user)})


@login_required
def unit_listings(request: HttpRequest, uid) -> HttpResponse:
    unit = _unit_for(request, uid)
    query = request.GET.get("q", "").strip()
    state = request.GET.get("state", "")
    return render(
        request,
        "catalog/listings.html",
        {
            "unit": unit,
            "listings": selectors.listings_of_unit(unit=unit, query=query, state=state),
            "query": query,
            "state": state,
            "states": Listing.State.choices,
        },
    )


def _save_listing(request, unit, listing=None) -> HttpResponse | None:
    form = ListingForm(request.POST or None, instance=listing, unit=unit)
    initial = variant_initial(listing) if listing else None
    formset = VariantFormSet(request.POST or None, initial=initial, prefix="variants")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                if listing is None:
                    listing = listings.listing_create(
                        unit=unit,
                        data=form.service_data(),
                        variants=formset.service_variants(),
                        actor=request.user,
                    )
                else:
                    listings.listing_update(
                        listing=listing,
                        data=form.service_data(),
                        variants=formset.service_variants(),
                        actor=request.user,
                    )
        except CatalogError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Listing saved."))
            return redirect("catalog:listing", uid=listing.uid)
    return render(
        request,
        "catalog/listing_form.html",
        {"unit": unit, "listing": listing, "form": form, "formset": formset},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_new(request: HttpRequest, uid) -> HttpResponse:
    return _save_listing(request, _unit_for(request, uid))


@login_required
@require_http_methods(["GET", "POST"])
def listing_edit(request: HttpRequest, uid) -> HttpResponse:
    listing = _listing_for(request, uid)
    if listing.state == Listing.State.ARCHIVED:
        raise PermissionDenied
    return _save_listing(request, listing.unit, listing)


@login_required
def listing_detail(request: HttpRequest, uid) -> HttpResponse:
    listing = _listing_for(request, uid)
    return render(
        request, "catalog/listing.html", selectors.listing_page(listing=listing) | {"image_form": ImageForm()}
    )


@login_required
@require_POST
def listing_image_upload(request: HttpRequest, uid) -> HttpResponse:
    listing = _listing_for(request, uid)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        with refusal_as_message(request, images.ImageRefused, CatalogError):
            with transaction.atomic():
                asset = services.image_asset_create(
                    owner_key=f"unit:{listing.unit_id}", upload=form.cleaned_data["image"]
                )
                listings.listing_image_add(
                    listing=listing, asset=asset, alt=form.cleaned_data["alt"], actor=request.user
                )
            messages.success(request, _("Image uploaded; it is being processed."))
    else:
        messages.error(request, _("Choose an image file to upload."))
    return redirect("catalog:listing", uid=listing.uid)


@login_required
@require_POST
def listing_image_remove(request: HttpRequest, uid, pk: int) -> HttpResponse:
    listing = _listing_for(request, uid)
    image = get_object_or_404(ListingImage, pk=pk, listing=listing)
    with refusal_as_message(request, CatalogError):
        listings.listing_image_remove(image=image, actor=request.user)
    return redirect("catalog:listing", uid=listing.uid)


@login_required
@require_POST
def listing_submit(request: HttpRequest, uid) -> HttpResponse:
    listing = _listing_for(request, uid)
    with refusal_as_message(request, CatalogError):
        listings.listing_submit(listing=listing, actor=request.user)
        messages.success(request, _("Submitted for review."))
    return redirect("catalog:listing", uid=listing.uid)


@login_required
@require_POST
def listing_publish(request: HttpRequest, uid) -> HttpResponse:
    listing = _listing_for(request, uid)
    on_sale = request.POST.get("on_sale") == "1"
    with refusal_as_message(request, CatalogError):
        listings.listing_publish(listing=listing, on_sale=on_sale, actor=request.user)
        messages.success(request, _("Put on sale.") if on_sale else _("Taken off sale."))
    return redirect("catalog:listing", uid=listing.uid)


@login_required
@require_POST
def listing_archive(request: HttpRequest, uid) -> HttpResponse:
    listing = _listing_for(request, uid)
    listings.listing_archive(listing=listing, actor=request.user)
    messages.success(request, _("Listing archived."))
    return redirect("catalog:listing", uid=listing.uid)


@login_required
@require_POST
def listing_divergence(request: HttpRequest, uid) -> HttpResponse:
    listing = _listing_for(request, uid)
    with refusal_as_message(request, CatalogError):
        listing_divergence_resolve(
            listing=listing, adopt_saleor=request.POST.get("adopt") == "saleor", actor=request.user
        )
    return redirect("catalog:listing", uid=listing.uid)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not is_curator(request.user):
        raise PermissionDenied
    return render(request, "catalog/review_queue.html", {"listings": selectors.review_queue()})


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, uid) -> HttpResponse:
    if not is_curator(request.user):
        raise PermissionDenied
    listing = get_object_or_404(Listing.objects.select_related("unit"), uid=uid)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            listings.listing_review(
                listing=listing,
                approve=form.cleaned_data["decision"] == "approve",
                reviewer=request.user,
                reason=form.cleaned_data["reason"],
            )
        except CatalogError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("catalog:review_queue")
    return render(
        request,
        "catalog/review.html",
        selectors.listing_page(listing=listing) | {"form": form},
        status=400 if form.errors else 200,
    )


def _csv_import(request, unit, run, template: str, extra: dict) -> HttpResponse:
    form = CsvForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = run(data=form.cleaned_data["file"].read(), dry_run=not form.cleaned_data["commit"])
        except CsvUnreadable as exc:
            form.add_error("file", str(exc))
    return render(
        request,
        template,
        {"unit": unit, "form": form, "result": result, **extra},
        status=400 if form.errors or (result and not result.ok) else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def listings_import(request: HttpRequest, uid) -> HttpResponse:
    """Check a CSV here and now; an import runs in the worker and its page follows it."""
    unit = _unit_for(request, uid)
    form = ListingCsvForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if form.cleaned_data["commit"]:
                job = imports.listings_import_request(
                    unit=unit,
                    data=upload.read(),
                    filename=upload.name,
                    submit=form.cleaned_data["submit"],
                    on_sale=form.cleaned_data["on_sale"],
                    actor=request.user,
                )
                return redirect("catalog:listing_import", uid=unit.uid, job=job.uid)
            result = imports.listings_import(unit=unit, data=upload.read(), dry_run=True, actor=request.user)
        except CsvUnreadable as exc:
            form.add_error("file", str(exc))
    return render(
        request,
        "catalog/import.html",
        {
            "unit": unit,
            "form": form,
            "result": result,
            "columns": imports.COLUMNS,
            "jobs": selectors.listing_imports_of_unit(unit=unit)[:10],
        },
        status=400 if form.errors else 200,
    )


def _import_for(request: HttpRequest, uid, job) -> ListingImport:
    unit = _unit_for(request, uid)
    return get_object_or_404(ListingImport.objects.select_related("unit"), uid=job, unit=unit)


@login_required
def listing_import(request: HttpRequest, uid, job) -> HttpResponse:
    """One import: its progress while the worker runs it (the page survives a reload), then its outcome."""
    job = _import_for(request, uid, job)
    sync = selectors.listing_import_sync(job=job) if job.state == ListingImport.State.DONE else None
    return render(request, "catalog/import_job.html", {"unit": job.unit, "job": job, "sync": sync})


@login_required
@require_POST
def listing_import_retry(request: HttpRequest, uid, job) -> HttpResponse:
    """Run a stopped import again: what it created stays, nothing is created twice."""
    job = _import_for(request, uid, job)
    with refusal_as_message(request, CatalogError):
        imports.listings_import_retry(job=job)
    return redirect("catalog:listing_import", uid=job.unit.uid, job=job.uid)


@login_required
def listing_import_progress(request: HttpRequest, uid, job) -> JsonResponse:
    """The import's progress, polled by its page."""
    job = _import_for(request, uid, job)
    running = job.state in (ListingImport.State.QUEUED, ListingImport.State.RUNNING)
    return JsonResponse(
        {
            "state": "running" if running else job.state,
            "done": job.processed,
            "total": job.total,
            "percent": job.percent,
        }
    )


@login_required
def listing_import_sync_progress(request: HttpRequest, uid, job) -> JsonResponse:
    """The push to Saleor of the import's listings (in bulk, once the import is done), polled by its page."""
    job = _import_for(request, uid, job)
    sync = selectors.listing_import_sync(job=job)
    return JsonResponse(
        {
            "state": "running" if sync.waiting else "done",
            "done": sync.pushed + sync.failed,
            "total": sync.total,
            "percent": sync.percent,
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def collection_objects(request: HttpRequest, uid) -> HttpResponse:
    unit = _unit_for(request, uid)
    if request.method == "POST" and "file" in request.FILES:

        def run(*, data, dry_run):
            return provenance.collection_objects_import(unit=unit, data=data, dry_run=dry_run)

        return _csv_import(
            request,
            unit,
            run,
            "catalog/objects.html",
            {"objects": unit.collection_objects.all(), "object_form": CollectionObjectForm()},
        )
    object_form = CollectionObjectForm(request.POST or None)
    if request.method == "POST" and object_form.is_valid():
        try:
            provenance.collection_object_save(unit=unit, data=object_form.cleaned_data)
        except provenance.DuplicateAccession:
            object_form.add_error("accession_number", _("This accession number is already registered."))
        else:
            messages.success(request, _("Object registered."))
            return redirect("catalog:objects", uid=unit.uid)
    return render(
        request,
        "catalog/objects.html",
        {
            "unit": unit,
            "objects": unit.collection_objects.all(),
            "object_form": object_form,
            "form": CsvForm(),
        },
        status=400 if object_form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def collection_object(request: HttpRequest, uid, pk: int) -> HttpResponse:
    unit = _unit_for(request, uid)
    obj = get_object_or_404(CollectionObject, pk=pk, unit=unit)
    form = CollectionObjectForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            provenance.collection_object_save(unit=unit, data=form.cleaned_data, obj=obj)
        except provenance.DuplicateAccession:
            form.add_error("accession_number", _("This accession number is already registered."))
        else:
            messages.success(request, _("Object saved."))
            return redirect("catalog:objects", uid=unit.uid)
    return render(request, "catalog/object.html", {"unit": unit, "object": obj, "object_form": form})


@login_required
@require_http_methods(["GET", "POST"])
def licences(request: HttpRequest, uid) -> HttpResponse:
    """Licences the unit grants: operators record them, a second person (finance) confirms or rejects them."""
    unit = get_object_or_404(Unit, uid=uid)
    may_record = can_manage_listings(request.user, unit)
    may_confirm = unit.status == Unit.Status.ACTIVE and provenance.can_confirm_licences(request.user, unit)
    if not (may_record or may_confirm):
        raise Http404
    action = request.POST.get("action", "record")
    form = IpLicenceForm((request.POST or None) if action == "record" else None)
    decision_error = ""
    if request.method == "POST":
        if action == "record":
            if not may_record:
                raise PermissionDenied
            if form.is_valid():
                provenance.ip_licence_propose(licensor=unit, data=form.cleaned_data, actor=request.user)
                messages.success(
                    request, _("Licence recorded: it is in force once a finance member confirms it.")
                )
                return redirect("catalog:licences", uid=unit.uid)
        elif action in ("confirm", "reject"):
            if not may_confirm:
                raise PermissionDenied
            licence = get_object_or_404(unit.ip_licences_granted, pk=request.POST.get("licence") or 0)
            decision_error = _refusal_of(_licence_decide, request, action, licence.pk)
            if not decision_error:
                return redirect("catalog:licences", uid=unit.uid)
    return render(
        request,
        "catalog/licences.html",
        {
            "unit": unit,
            "form": form if may_record else None,
            "may_confirm": may_confirm,
            "licences": unit.ip_licences_granted.select_related("created_by", "decided_by").order_by(
                "-valid_until", "-pk"
            ),
            "decision_error": decision_error,
        },
        status=400 if form.errors or decision_error else 200,
    )


def _refusal_of(decide, request: HttpRequest, action: str, pk: int) -> str:
    """Runs the decision; the catalog's refusal, shown beside the decisions, or "" once it is done."""
    try:
        decide(request, action, pk)
    except CatalogError as error:
        return error.message
    return ""


def _licence_decide(request: HttpRequest, action: str, licence_id: int) -> None:
    if action == "confirm":
        provenance.ip_licence_confirm(licence_id=licence_id, actor=request.user)
        messages.success(request, _("Licence confirmed: it is in force."))
    else:
        provenance.ip_licence_reject(
            licence_id=licence_id, actor=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Licence rejected."))


@login_required
def unit_royalties(request: HttpRequest, uid) -> HttpResponse:
    """Each product's designer royalty (finance sets them per product)."""
    unit = get_object_or_404(Unit, uid=uid)
    if not can_view_designers(request.user, unit):
        raise Http404
    return render(
        request,
        "catalog/royalties.html",
        {
            "unit": unit,
            "rows": selectors.royalty_overview(unit=unit),
            "may_set": can_manage_designers(request.user, unit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_royalty(request: HttpRequest, uid) -> HttpResponse:
    """The product's royalty history; finance proposes new terms, a second finance member approves them."""
    listing = get_object_or_404(Listing.objects.select_related("unit"), uid=uid)
    if not can_view_designers(request.user, listing.unit):
        raise Http404
    may_set = can_manage_designers(request.user, listing.unit)
    action = request.POST.get("action", "propose")
    form = DesignerRoyaltyForm((request.POST or None) if action == "propose" else None, unit=listing.unit)
    decision_error = ""
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied
        if action == "propose" and form.is_valid():
            try:
                royalty_changes.royalty_change_propose(
                    listing=listing, actor=request.user, **form.cleaned_data
                )
            except CatalogError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("Royalty change proposed: a second finance member must approve it.")
                )
                return redirect("catalog:listing_royalty", uid=listing.uid)
        elif action in ("approve", "reject", "withdraw"):
            change = get_object_or_404(listing.royalty_changes, pk=request.POST.get("change") or 0)
            decision_error = _refusal_of(_royalty_decide, request, action, change.pk)
            if not decision_error:
                return redirect("catalog:listing_royalty", uid=listing.uid)
    return render(
        request,
        "catalog/royalty.html",
        {
            "unit": listing.unit,
            "listing": listing,
            "form": form if may_set else None,
            "history": selectors.royalty_history(listing=listing),
            "pending": royalty_changes.pending_change(listing),
            "changes": royalty_changes.changes_of(listing),
            "decision_error": decision_error,
        },
        status=400 if form.errors or decision_error else 200,
    )


def _royalty_decide(request: HttpRequest, action: str, change_id: int) -> None:
    if action == "approve":
        royalty_changes.royalty_change_approve(change_id=change_id, actor=request.user)
        messages.success(request, _("Royalty change approved: the new terms apply from their start."))
    elif action == "reject":
        royalty_changes.royalty_change_reject(
            change_id=change_id, actor=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Royalty change rejected."))
    else:
        try:
            royalty_changes.royalty_change_withdraw(change_id=change_id, actor=request.user)
        except PermissionError as exc:
            raise PermissionDenied from exc
        messages.success(request, _("Royalty change withdrawn."))
