"""The buyer's signed link to their order page in the storefront (built here, opened there)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

ORDER_LINK_SALT = "storefront.order-link"


def order_link_path(order_id: str) -> str:
    token = signing.dumps({"order": order_id}, salt=ORDER_LINK_SALT, compress=True)
    return reverse("storefront:order", args=[token])


def order_link_absolute(order_id: str) -> str:
    return f"{settings.APP_PUBLIC_URL}{order_link_path(order_id)}"
