"""The Saleor the storefront talks to, as an anonymous buyer or as the signed-in customer."""

from __future__ import annotations

from django.conf import settings

from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorUnavailable
from saleor_app.selectors import installation_default


def api_url() -> str:
    if settings.SALEOR_API_URL:
        return settings.SALEOR_API_URL
    installation = installation_default()
    if installation is None:
        raise SaleorUnavailable("no Saleor configured (SALEOR_API_URL) and none installed")
    return installation.api_url


def buyer_client(token: str | None = None, *, forwarded_for: str | None = None) -> SaleorClient:
    """Never the app token: Saleor then applies the public visibility rules (published products only).

    `forwarded_for` is the buyer's address: Saleor throttles sign-ins per address, and without it every
    buyer would come from this service's one address and share one bucket."""
    return SaleorClient(api_url(), token, forwarded_for=forwarded_for)
