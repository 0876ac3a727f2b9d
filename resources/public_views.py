"""The public library (mounted with the shop: Chinese at /library/, English at /en/library/).

Data come from resources.cache (Redis, per generation); only published objects of active units exist here,
anything else is a 404. A filter value the library cannot have or a bad page number is a 400 page that
says so (never a 500, never a silently different page).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from resources import cache, selectors
from resources.forms import LibrarySearchForm

FACET_TITLES = {
    "unit": lambda: _("Unit"),
    "unit_type": lambda: _("Type of unit"),
    "era": lambda: _("Era"),
    "category": lambda: _("Object category"),
    "rights": lambda: _("Rights"),
}


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def _url(params: dict[str, str]) -> str:
    base = reverse("library:index")
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{base}?{query}" if query else base


def _problem(request, message: str, status: int, params: dict[str, str]):
    return render(
        request,
        "resources/library/index.html",
        {"problem": message, "text": params.get("q", ""), "reset": _url({"q": params.get("q", "")})},
        status=status,
    )


@require_GET
def index(request):
    form = LibrarySearchForm(request.GET)
    raw = {k: request.GET.get(k, "") for k in ("q", *selectors.FACETS)}
    if not form.is_valid():
        if "page" in form.errors:
            return _problem(request, _("The page number must be a whole number from 1."), 400, raw)
        return _problem(request, _("The search is too long or a filter is malformed."), 400, raw)
    data = form.cleaned_data
    filters = {name: data[name] for name in selectors.FACETS if data[name]}
    for name, value in filters.items():
        if not selectors.facet_values_known(name, value):
            return _problem(
                request,
                _("No published object has the %(facet)s “%(value)s”.")
                % {"facet": FACET_TITLES[name](), "value": value},
                400,
                raw,
            )
    query = selectors.LibraryQuery(text=data["q"], filters=filters, page=data["page"] or 1)
    language = _language()

    def fill() -> dict:
        return selectors.library_page(query, language)

    try:
        page = cache.cached("index", {"q": query.text, "f": filters, "p": query.page, "lang": language}, fill)
    except selectors.PageOutOfRange as out:
        return _problem(
            request,
            _("There is no page %(page)s: the results have %(last)s page(s).")
            % {"page": query.page, "last": out.last},
            404,
            raw,
        )
    params = {"q": query.text, **filters}
    facets = []
    for facet in page["facets"]:
        name = facet["name"]
        values = [
            {**v, "url": _url({**params, name: "" if v["active"] else v["value"]})} for v in facet["values"]
        ]
        facets.append(
            {
                "name": name,
                "title": FACET_TITLES[name](),
                "values": values,
                "any_active": facet["active"],
                "clear": _url({**params, name: ""}),
            }
        )
    pages = {
        "number": page["number"],
        "count": page["pages"],
        "previous": _url({**params, "page": str(page["number"] - 1)}) if page["number"] > 1 else "",
        "next": _url({**params, "page": str(page["number"] + 1)}) if page["number"] < page["pages"] else "",
    }
    return render(
        request,
        "resources/library/index.html",
        {
            "text": query.text,
            "result": page,
            "facets": facets,
            "pages": pages,
            "filtered": bool(filters),
            "reset": _url({"q": query.text}),
        },
    )


@require_GET
def object_detail(request, pk: int):
    language = _language()
    data = cache.cached("object", {"pk": pk, "lang": language}, lambda: _object_or_missing(pk, language))
    if data.get("missing"):
        raise Http404
    return render(request, "resources/library/object.html", {"object": data})


def _object_or_missing(pk: int, language: str) -> dict:
    return selectors.object_page(pk, language) or {"missing": True}
