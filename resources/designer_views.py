"""The designer's own pages (/resources/me/…) and the licence request form on a published object.

Everything here is reached through the signed-in account: another designer's request is a 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from catalog import images
from catalog.error_codes import CatalogError
from catalog.selectors import image_asset_derivative_url
from core.forms import add_service_error
from core.refusals import refusal_as_message
from resources import designers, licensing
from resources.error_codes import ResourcesError
from resources.forms import DesignerProfileForm, LicenceRequestForm, PortfolioImageForm
from resources.models import LicenceRequest
from resources.selectors import THUMB
from unit_onboarding.designers import designers_of_account


@login_required
@require_http_methods(["GET"])
def me(request: HttpRequest) -> HttpResponse:
    """The designer's page: profile, claimed registrations, licence requests and the licences granted."""
    requests = list(licensing.requests_of(request.user))
    return render(
        request,
        "resources/me/index.html",
        {
            "profile": designers.profile_of(request.user),
            "registrations": designers_of_account(request.user),
            "requests": requests,
            "licences": [r for r in requests if r.status == LicenceRequest.Status.APPROVED],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def me_profile(request: HttpRequest) -> HttpResponse:
    profile = designers.profile_of(request.user)
    form = DesignerProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        designers.profile_save(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Saved."))
        target = request.POST.get("next", "")
        return redirect(target if target.startswith("/resources/") else reverse("resources:me"))
    return render(
        request,
        "resources/me/profile.html",
        {
            "profile": profile,
            "form": form,
            "image_form": PortfolioImageForm(),
            "portfolio": [
                (item, image_asset_derivative_url(asset=item.image, size=THUMB))
                for item in (profile.portfolio.select_related("image") if profile else [])
            ],
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def me_portfolio(request: HttpRequest) -> HttpResponse:
    profile = designers.profile_of(request.user)
    if profile is None:
        messages.error(request, _("Create your designer profile first."))
        return redirect("resources:me_profile")
    form = PortfolioImageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an image file to upload."))
        return redirect("resources:me_profile")
    try:
        designers.portfolio_add(
            profile=profile, upload=form.cleaned_data["image"], caption=form.cleaned_data["caption"]
        )
    except images.ImageRefused as refusal:
        messages.error(request, refusal.message)
    except CatalogError as error:
        messages.error(request, error.message)
    except designers.PortfolioFull as full:
        messages.error(request, _("A portfolio holds at most %(n)s pictures.") % {"n": full.args[0]})
    else:
        messages.success(request, _("Image uploaded; it is being processed."))
    return redirect("resources:me_profile")


def profile_first(request: HttpRequest, why: str) -> HttpResponse | None:
    """None for a designer with a profile; else `why`, and off to create one, coming back here after."""
    if designers.profile_of(request.user) is not None:
        return None
    messages.info(request, why)
    return redirect(f"{reverse('resources:me_profile')}?{urlencode({'next': request.path})}")


@login_required
@require_http_methods(["GET", "POST"])
def licence_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the object's unit for a licence; only for a published, licensable object."""
    obj = licensing.published_object(pk)
    if obj is None:
        raise Http404
    to_profile = profile_first(request, _("Create your designer profile before requesting a licence."))
    if to_profile is not None:
        return to_profile
    licensable = licensing.licensable_object(pk) is not None
    form = LicenceRequestForm(request.POST or None)
    if request.method == "POST" and not licensable:
        form.is_valid()
        form.add_error(None, ResourcesError(licensing.Code.OBJECT_NOT_LICENSABLE).message)
    elif request.method == "POST" and form.is_valid():
        try:
            licensing.licence_request_submit(
                obj=obj, user=request.user, data=form.cleaned_data, language=translation.get_language()
            )
        except ResourcesError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your request was sent to %(unit)s.") % {"unit": obj.unit})
            return redirect("resources:me")
    return render(
        request,
        "resources/me/request_form.html",
        {"object": obj, "form": form, "licensable": licensable},
        status=400 if form.errors else (200 if licensable else 409),
    )


@login_required
@require_POST
def me_request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    found = licensing.request_of(request.user, pk)
    if found is None:
        raise Http404
    with refusal_as_message(request, ResourcesError):
        licensing.licence_request_withdraw(request=found, user=request.user)
        messages.success(request, _("Request withdrawn."))
    return redirect("resources:me")
