"""The checks every Saleor sync webhook (payment, shipping) passes before its handler answers."""

from __future__ import annotations

import json
import logging
from decimal import Decimal

from django.http import HttpRequest

from core.errors import AppError
from saleor_app import selectors, signatures
from saleor_app.error_codes import SaleorAppErrorCode as Code
from saleor_app.models import SaleorInstallation
from saleor_app.webhook_specs import WebhookSpec

logger = logging.getLogger(__name__)


class DeliveryRefused(AppError):
    """A sync delivery this app does not act on: the status Saleor is answered with, a code and a message."""

    def __init__(self, status: int, code: Code, message: str) -> None:
        super().__init__(code, message)
        self.status = status


def sync_delivery_accept(
    request: HttpRequest, *, name: str, spec: WebhookSpec | None, kind: str, cached: bool = True
) -> tuple[SaleorInstallation, dict]:
    """The installation and payload of a sync delivery named `name`, verified as Saleor's, addressed to this
    app and fresh (`spec`: None when there is no such webhook of this `kind`); else raises DeliveryRefused.

    `cached`: the installation may come from the per-process cache (False: read it now, as payments do).
    JSON numbers with a fraction are read as Decimal, never float: amounts become minor units exactly.
    """
    if spec is None:
        raise DeliveryRefused(404, Code.UNKNOWN_WEBHOOK, f"No {kind} webhook named {name}.")
    api_url = request.headers.get("Saleor-Api-Url", "")
    lookup = selectors.installation_get_cached if cached else selectors.installation_get
    installation = lookup(api_url=api_url)
    if installation is None:
        raise DeliveryRefused(401, Code.UNKNOWN_INSTALLATION, "This Saleor has not installed the app.")
    try:
        signatures.verify(installation, request.body, request.headers.get("Saleor-Signature", ""))
    except signatures.SignatureInvalid as exc:
        logger.warning("%s webhook %s refused: %s", kind, name, exc)
        raise DeliveryRefused(401, Code.SIGNATURE_INVALID, "Signature verification failed.") from exc
    if request.headers.get("Saleor-Event", "").lower() not in spec.event_types:
        raise DeliveryRefused(400, Code.UNKNOWN_WEBHOOK, f"This event is not delivered to {name}.")
    try:
        payload = json.loads(request.body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DeliveryRefused(400, Code.BAD_REQUEST_BODY, "Body is not JSON.") from exc
    if not isinstance(payload, dict):
        raise DeliveryRefused(400, Code.BAD_REQUEST_BODY, "Body is not a JSON object.")
    # another app's request (e.g. a refund of its own transaction) is never ours
    refused = signatures.recipient_refusal(installation, payload, name)
    if refused is not None:
        raise DeliveryRefused(refused[0], Code(refused[1]), refused[2])
    if not signatures.fresh(payload):
        # a signed body captured and replayed later (e.g. a refund request) is refused
        raise DeliveryRefused(401, Code.STALE_WEBHOOK, "The webhook's issuedAt is missing or too old.")
    return installation, payload
