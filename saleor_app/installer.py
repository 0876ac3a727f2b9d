"""Installs this app into a Saleor as a staff user would, and reports on an installation."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx

from saleor_app import selectors, services
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorError
from saleor_app.manifest import PERMISSIONS, absolute, build_manifest
from saleor_app.models import SaleorInstallation
from saleor_app.webhook_sync import WebhookSync, webhooks_sync


class InstallError(Exception):
    """Installation cannot proceed; the message says what to do."""


@dataclass
class InstallOutcome:
    already_installed: bool
    app_id: str
    app: dict = field(default_factory=dict)
    webhooks: WebhookSync | None = None  # an installation made earlier: what its webhooks needed


def _staff_client(api_url: str, email: str, password: str) -> SaleorClient:
    anonymous = SaleorClient(api_url)
    try:
        token = anonymous.mutate("TokenCreate", {"email": email, "password": password}, "tokenCreate")[
            "token"
        ]
    except SaleorError as exc:
        raise InstallError(f"Could not log in to Saleor at {api_url} as {email}: {exc}") from exc
    return SaleorClient(api_url, token)


def _find_app(staff: SaleorClient, identifier: str) -> dict | None:
    edges = staff.execute("AppsSearch", {"search": None})["apps"]["edges"]
    return next((e["node"] for e in edges if e["node"]["identifier"] == identifier), None)


def app_install(
    *, api_url: str, email: str, password: str, manifest_url: str | None = None, timeout: float = 60.0
) -> InstallOutcome:
    """Install through the manifest and wait until the token is registered and proven; idempotent."""
    api_url = selectors.normalise_api_url(api_url)
    if not services.api_url_allowed(api_url):
        raise InstallError(
            f"{api_url} is not in SALEOR_ALLOWED_API_URLS: this service would refuse its token."
        )
    identifier = build_manifest()["id"]
    staff = _staff_client(api_url, email, password)
    existing = _find_app(staff, identifier)
    installation = selectors.installation_get(api_url=api_url)
    if existing:
        if installation and installation.token:
            synced = webhooks_sync(client=SaleorClient(api_url, installation.token))
            return InstallOutcome(
                already_installed=True, app_id=existing["id"], app=existing, webhooks=synced
            )
        raise InstallError(
            f"Saleor already has app {identifier} ({existing['id']}) but this service holds no token for it. "
            "Delete that app in the Saleor Dashboard, then install again."
        )
    manifest_url = manifest_url or absolute("/saleor/manifest")
    try:
        httpx.get(manifest_url, timeout=5.0).raise_for_status()
    except httpx.HTTPError as exc:
        raise InstallError(
            f"This service's manifest is not reachable at {manifest_url} ({exc}); start it first."
        ) from exc
    payload = staff.mutate(
        "AppInstall",
        {
            "input": {
                "appName": "Wenchuang Marketplace",
                "manifestUrl": manifest_url,
                "permissions": list(PERMISSIONS),
                "activateAfterInstallation": True,
            }
        },
        "appInstall",
    )
    _wait_for_saleor(staff, payload["appInstallation"], timeout)
    app_id = _wait_for_token(api_url, timeout)
    return InstallOutcome(already_installed=False, app_id=app_id, app=_find_app(staff, identifier) or {})


def _wait_for_saleor(staff: SaleorClient, job: dict, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if job["status"] == "FAILED":
            raise InstallError(f"Saleor could not install the app: {job.get('message')}")
        if job["status"] == "SUCCESS":
            return
        pending = [j for j in staff.execute("AppsInstallations")["appsInstallations"] if j["id"] == job["id"]]
        if not pending:
            return  # Saleor deletes the installation job once the app is installed
        job = pending[0]
        if time.monotonic() > deadline:
            raise InstallError(f"Installation still {job['status']} after {timeout:.0f}s")
        time.sleep(0.5)


def _wait_for_token(api_url: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        installation = selectors.installation_get(api_url=api_url)
        if installation is not None:
            result = services.installation_confirm(installation_id=installation.pk)
            if result.confirmed:
                return result.app_id
        if time.monotonic() > deadline:
            detail = installation.last_error if installation else "no token was delivered to this service"
            raise InstallError(f"Saleor installed the app but registration did not complete: {detail}")
        time.sleep(0.5)


@dataclass
class InstallationStatus:
    installation: SaleorInstallation
    token_works: bool
    detail: str
    app: dict | None


def installation_status(installation: SaleorInstallation) -> InstallationStatus:
    """Ask Saleor, with the stored token, who this app is and which webhooks it has."""
    if not installation.token:
        return InstallationStatus(installation, False, "no confirmed token", None)
    try:
        app = SaleorClient(installation.api_url, installation.token).execute("AppSelf")["app"]
    except SaleorError as exc:
        return InstallationStatus(installation, False, f"{type(exc).__name__}: {exc}", None)
    if not app:
        return InstallationStatus(installation, False, "Saleor does not recognise the token", None)
    return InstallationStatus(installation, True, "ok", app)
