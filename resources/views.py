"""Back-office pages of the library: a unit's operators choose which objects the public sees.

Every object is reached through the signed-in user's unit: another unit's object is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import images
from catalog import services as catalog_services
from catalog.error_codes import CatalogError
from catalog.models import CollectionObject
from catalog.permissions import can_manage_listings
from core.forms import add_service_error
from core.refusals import refusal_as_message
from resources import licensing, services
from resources.error_codes import ResourcesError
from resources.forms import LicenceApproveForm, LicenceDeclineForm, ObjectImageForm, PublicationForm
from resources.models import PublishedObject
from unit_onboarding.models import Unit
from unit_onboarding.selectors import unit_or_404


def _unit_for(request: HttpRequest, uid) -> Unit:
    return unit_or_404(request.user, uid, can_manage_listings)


def _object_for(request: HttpRequest, uid, pk: int) -> CollectionObject:
    unit = _unit_for(request, uid)
    return get_object_or_404(CollectionObject.objects.select_related("unit", "image"), pk=pk, unit=unit)


@login_required
@require_GET
def objects(request: HttpRequest, uid) -> HttpResponse:
    unit = _unit_for(request, uid)
    rows = unit.collection_objects.select_related("publication").order_by("accession_number")
    return render(request, "resources/objects.html", {"unit": unit, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def object_edit(request: HttpRequest, uid, pk: int) -> HttpResponse:
    obj = _object_for(request, uid, pk)
    publication = services.publication_of(obj)
    form = PublicationForm(
        request.POST or None,
        instance=obj,
        initial={"category": publication.category, "licensable": publication.licensable},
    )
    if request.method == "POST" and form.is_valid():
        services.publication_save(obj=obj, data=form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("resources:object", uid=obj.unit.uid, pk=obj.pk)
    return render(
        request,
        "resources/object.html",
        {
            "unit": obj.unit,
            "object": obj,
            "publication": publication,
            "form": form,
            "image_form": ObjectImageForm(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def object_publish(request: HttpRequest, uid, pk: int) -> HttpResponse:
    obj = _object_for(request, uid, pk)
    published = request.POST.get("published") == "1"
    if published and not PublishedObject.objects.filter(object=obj).exists():
        messages.error(request, _("Describe the object for the library and save before publishing it."))
        return redirect("resources:object", uid=obj.unit.uid, pk=obj.pk)
    services.publication_set(obj=obj, published=published, actor=request.user)
    if published:
        messages.success(request, _("The object is now shown in the public library."))
    else:
        messages.success(request, _("The object is no longer shown in the public library."))
    return redirect("resources:object", uid=obj.unit.uid, pk=obj.pk)


@login_required
@require_POST
def object_image(request: HttpRequest, uid, pk: int) -> HttpResponse:
    obj = _object_for(request, uid, pk)
    form = ObjectImageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an image file to upload."))
        return redirect("resources:object", uid=obj.unit.uid, pk=obj.pk)
    with refusal_as_message(request, images.ImageRefused, CatalogError):
        with transaction.atomic():
            asset = catalog_services.image_asset_create(
                owner_key=f"unit:{obj.unit_id}", upload=form.cleaned_data["image"]
            )
            services.object_image_set(obj=obj, asset=asset)
        messages.success(request, _("Image uploaded; it is being processed."))
    return redirect("resources:object", uid=obj.unit.uid, pk=obj.pk)


# --- licence requests addressed to the unit ----------------------------------------------------------------


def _reviewing_unit(request: HttpRequest, uid) -> Unit:
    unit = get_object_or_404(Unit, uid=uid)
    if not licensing.can_review_requests(request.user, unit):
        raise Http404
    return unit


@login_required
@require_GET
def licence_requests(request: HttpRequest, uid) -> HttpResponse:
    unit = _reviewing_unit(request, uid)
    rows = licensing.requests_of_unit(unit)
    return render(request, "resources/licence_requests.html", {"unit": unit, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def licence_request(request: HttpRequest, uid, pk: int) -> HttpResponse:
    """One request: approve it (on the terms the unit settles) or decline it with a reason."""
    unit = _reviewing_unit(request, uid)
    found = licensing.request_of_unit(unit, pk)
    if found is None:
        raise Http404
    action = request.POST.get("action") if request.method == "POST" else None
    approve = LicenceApproveForm(
        request.POST if action == "approve" else None,
        initial={
            "royalty_percent": found.royalty_percent,
            "valid_from": found.term_from,
            "valid_until": found.term_until,
            "scope": licensing.default_scope(found),
        },
    )
    decline = LicenceDeclineForm(request.POST if action == "decline" else None)
    try:
        if action == "approve" and approve.is_valid():
            data = approve.cleaned_data
            licensing.licence_request_approve(
                request=found,
                actor=request.user,
                royalty_bps=data["royalty_bps"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                scope=data["scope"],
            )
            messages.success(request, _("Approved: the IP licence is recorded."))
            return redirect("resources:licence_request", uid=unit.uid, pk=found.pk)
        if action == "decline" and decline.is_valid():
            licensing.licence_request_decline(
                request=found, actor=request.user, reason=decline.cleaned_data["reason"]
            )
            messages.success(request, _("Declined; the designer is told the reason."))
            return redirect("resources:licence_request", uid=unit.uid, pk=found.pk)
    except ResourcesError as error:
        form = approve if action == "approve" else decline
        add_service_error(form, error)
        if error.field is None:  # e.g. already answered: the forms are no longer shown, the message is
            messages.error(request, error.message)
    errors = approve.errors or decline.errors
    return render(
        request,
        "resources/licence_request.html",
        {"unit": unit, "request_row": found, "approve_form": approve, "decline_form": decline},
        status=400 if errors else 200,
    )
