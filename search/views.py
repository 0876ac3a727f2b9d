"""Synonyms in the back office: unit operators keep their unit's, platform curators the platform-wide ones.

A unit's synonyms widen searches over its own products only. Another unit's synonym is a 404 (its
existence is not disclosed); the platform page is a 403 for anyone but a curator.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from catalog.permissions import can_manage_listings, is_curator
from search import services
from search.error_codes import SearchError
from search.forms import SynonymForm
from search.models import SearchSynonym
from unit_onboarding.models import Unit
from unit_onboarding.selectors import unit_or_404


def _unit_for(request: HttpRequest, uid) -> Unit:
    return unit_or_404(request.user, uid, can_manage_listings)


def _page(request: HttpRequest, unit: Unit | None) -> HttpResponse:
    form = SynonymForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.synonym_save(unit=unit, raw_terms=form.cleaned_data["terms"], actor=request.user)
        except SearchError as error:
            form.add_error("terms", error.message)
        else:
            messages.success(request, _("Saved: buyers' searches use it within seconds."))
            return redirect(request.path)
    if form.errors:
        status = 400
    synonyms = SearchSynonym.objects.filter(unit=unit).order_by("pk")
    platform = SearchSynonym.objects.filter(unit=None).order_by("pk") if unit else None
    return render(
        request,
        "search/synonyms.html",
        {"unit": unit, "form": form, "synonyms": synonyms, "platform": platform},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def platform_synonyms(request: HttpRequest) -> HttpResponse:
    if not is_curator(request.user):
        raise PermissionDenied
    return _page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def unit_synonyms(request: HttpRequest, uid) -> HttpResponse:
    return _page(request, _unit_for(request, uid))


@login_required
@require_POST
def synonym_delete(request: HttpRequest, pk: int) -> HttpResponse:
    synonym = get_object_or_404(SearchSynonym.objects.select_related("unit"), pk=pk)
    if synonym.unit is None:
        if not is_curator(request.user):
            raise PermissionDenied
        back = redirect("search:platform_synonyms")
    else:
        if not can_manage_listings(request.user, synonym.unit):
            raise Http404
        back = redirect("search:unit_synonyms", uid=synonym.unit.uid)
    services.synonym_delete(synonym=synonym, actor=request.user)
    messages.success(request, _("Deleted."))
    return back
