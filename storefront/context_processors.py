"""What every storefront page shows in its header: language links, cart size, signed-in customer."""

from __future__ import annotations

from django.conf import settings
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
        "canonical_url": request.build_absolute_uri(path),
    }
