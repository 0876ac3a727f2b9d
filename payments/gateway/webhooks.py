"""Stripe's webhook endpoint: verify the signature and its timestamp, store the event once, answer."""

from __future__ import annotations

import json
import logging

import stripe
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from core.machine_endpoints import machine_endpoint, machine_error
from payments.gateway import events
from payments.gateway.error_codes import GatewayErrorCode as Code

logger = logging.getLogger(__name__)


@machine_endpoint
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    """A forged or stale delivery is refused before anything is stored."""
    try:
        stripe.Webhook.construct_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
        )
        payload = json.loads(request.body)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        logger.warning("stripe webhook refused: %s", exc)
        return machine_error(400, Code.STRIPE_SIGNATURE_INVALID, "Signature verification failed.")
    with transaction.atomic():
        pk = events.stripe_event_store(payload=payload)
    return JsonResponse({"stored": pk is not None})
