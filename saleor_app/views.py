"""HTTP endpoints Saleor calls: manifest, token registration, async webhooks."""

from __future__ import annotations

import json
import logging

from django.db import DataError, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from core.machine_endpoints import machine_endpoint, machine_error
from saleor_app import selectors, services, signatures
from saleor_app.error_codes import SaleorAppErrorCode as Code
from saleor_app.manifest import build_manifest
from saleor_app.tasks import confirm_installation
from saleor_app.webhook_specs import ASYNC_WEBHOOKS_BY_NAME

logger = logging.getLogger(__name__)


@machine_endpoint
@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse(build_manifest())


@machine_endpoint
@require_POST
def register(request: HttpRequest) -> JsonResponse:
    """Saleor delivers the app token here during installation."""
    # Saleor shows error.message to the installer when registration fails.
    api_url = request.headers.get("Saleor-Api-Url", "")
    if not api_url:
        return machine_error(400, Code.API_URL_MISSING, "Missing Saleor-Api-Url header.")
    if not services.api_url_allowed(api_url):
        logger.warning("registration refused from %s", api_url)
        return machine_error(403, Code.API_URL_NOT_ALLOWED, f"Saleor at {api_url} may not install this app.")
    try:
        token = json.loads(request.body).get("auth_token")
    except (ValueError, AttributeError):
        return machine_error(400, Code.BAD_REQUEST_BODY, "Body must be JSON with an auth_token.")
    if not isinstance(token, str) or not token.strip():
        return machine_error(400, Code.TOKEN_MISSING, "auth_token is missing or empty.")
    with transaction.atomic():
        installation = services.installation_register(
            api_url=api_url, domain=request.headers.get("Saleor-Domain", ""), token=token.strip()
        )
        transaction.on_commit(lambda: confirm_installation.apply_async((installation.pk,), countdown=1))
    return JsonResponse({"success": True})


@machine_endpoint
@require_POST
def webhook(request: HttpRequest, name: str) -> JsonResponse:
    """Verify, store once, answer at once; processing runs after commit in the worker."""
    if name not in ASYNC_WEBHOOKS_BY_NAME:
        return machine_error(404, Code.UNKNOWN_WEBHOOK, f"No webhook named {name}.")
    installation = selectors.installation_get_cached(api_url=request.headers.get("Saleor-Api-Url", ""))
    if installation is None:
        return machine_error(401, Code.UNKNOWN_INSTALLATION, "This Saleor has not installed the app.")
    body = request.body
    signature = request.headers.get("Saleor-Signature", "")
    try:
        signatures.verify(installation, body, signature)
    except signatures.SignatureInvalid as exc:
        logger.warning("webhook %s refused: %s", name, exc)
        return machine_error(401, Code.SIGNATURE_INVALID, "Signature verification failed.")
    event_type = request.headers.get("Saleor-Event", "").lower()
    if event_type not in ASYNC_WEBHOOKS_BY_NAME[name].event_types:
        return machine_error(400, Code.UNKNOWN_WEBHOOK, f"Event {event_type!r} is not delivered to {name}.")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return machine_error(400, Code.BAD_REQUEST_BODY, "Body is not JSON.")
    refused = signatures.recipient_refusal(installation, payload, name)
    if refused is not None:
        return machine_error(*refused)
    try:
        # No atomic block: the one INSERT commits on its own, one round trip to PostgreSQL per delivery.
        event_id = services.inbox_store(
            installation=installation, event_type=event_type, body=body, signature=signature
        )
    except (UnicodeDecodeError, DataError):
        return machine_error(400, Code.BAD_REQUEST_BODY, "Body is not JSON.")
    return JsonResponse({"stored": event_id is not None})
