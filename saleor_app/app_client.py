"""The one factory of the app's Saleor client (the installation served, its token), or SaleorNotInstalled."""

from __future__ import annotations

from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorNotInstalled
from saleor_app.selectors import installation_default


def app_client() -> SaleorClient:
    installation = installation_default()
    if installation is None or not installation.token:
        raise SaleorNotInstalled("the app is not installed in Saleor (no token): run saleor_install")
    return SaleorClient(installation.api_url, installation.token)
