"""What every storefront page shows in its header: language links, cart size, signed-in customer."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import translate_url

from storefront.accounts import customer_of

CART_COUNT_KEY = "sf_cart_count"


def storefront(request):
    path = request.path
    alternates = [(code, name, translate_url(path, code)) for code, name in settings.LANGUAGES]
    return {
        "language_alternates": alternates,
        "cart_count": request.session.get(CART_COUNT_KEY, 0) if hasattr(request, "session") else 0,
        "customer": customer_of(request.session) if hasattr(request, "session") else None,
        "canonical_url": _canonical_url(request, path),
    }


def _canonical_url(request, path: str) -> str:
    """The page's address on the host it was asked on; the public address when that host is not ours."""
    try:
        return request.build_absolute_uri(path)
    except DisallowedHost:
        # Django answers such a request 400 with the error page, which renders this context: raising here
        # again would turn the 400 into a 500.
        return settings.APP_PUBLIC_URL + path
