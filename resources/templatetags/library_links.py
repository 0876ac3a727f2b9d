"""The storefront's product page links to the library object a product is made from (取材于馆藏)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from resources import cache, selectors

register = template.Library()
PREFIX = "wenchuang-"


@register.simple_tag
def library_object_url(slug: str) -> str:
    """The library page of the published object this product's approved content names, else ''."""
    if not slug or not slug.startswith(PREFIX):
        return ""
    pk = cache.memo("links", selectors.object_links).get(slug[len(PREFIX) :])
    return reverse("library:object", kwargs={"pk": pk}) if pk else ""


@register.inclusion_tag("resources/_made_from.html")
def library_object_link(slug: str) -> dict:
    """The product page's "made from this collection object" link (nothing when there is none)."""
    return {"url": library_object_url(slug)}
