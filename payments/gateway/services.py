"""Answers to Saleor's payment sync webhooks, backed by Stripe PaymentIntents and Refunds."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import stripe
from django.db import IntegrityError, transaction

from core.errors import AppError
from payments.gateway import config, stripe_api
from payments.gateway.error_codes import MESSAGES, GatewayErrorCode
from payments.gateway.models import PaymentIntentRecord
from payments.gateway.money import AmountInvalid, to_decimal, to_minor
from payments.gateway.stripe_errors import RETRYABLE, StripeUnavailable, user_message
from saleor_app.models import SaleorInstallation

logger = logging.getLogger(__name__)

Response = dict[str, Any]


def _flow(action_type: str) -> str:
    return "AUTHORIZATION" if action_type == "AUTHORIZATION" else "CHARGE"


def _external_url(payment_intent_id: str) -> str:
    mode = "test/" if config.test_mode() else ""
    return f"https://dashboard.stripe.com/{mode}payments/{payment_intent_id}"


def _failure(flow: str, message: str, **extra: Any) -> Response:
    return {"result": f"{flow}_FAILURE", "message": message[:500], **extra}


def gateway_session_initialize(*, payload: dict) -> Response:
    """PAYMENT_GATEWAY_INITIALIZE_SESSION: what the storefront needs to render Stripe's Payment Element."""
    channel = ((payload.get("sourceObject") or {}).get("channel") or {}).get("slug", "")
    return {
        "data": {
            "publishableKey": config.publishable_key(),
            "paymentMethodTypes": list(config.payment_methods(channel)),
            "testMode": config.test_mode(),
        }
    }


def _session_response(pi: dict[str, Any], record: PaymentIntentRecord) -> Response:
    """Map a PaymentIntent's state to Saleor's session result; the client secret travels in `data`."""
    flow = _flow(record.action_type)
    currency = record.currency
    data = {
        "paymentIntentId": pi["id"],
        "clientSecret": pi["client_secret"],
        "publishableKey": config.publishable_key(),
        "paymentMethodTypes": record.payment_methods,
        "status": pi["status"],
        "testMode": config.test_mode(),
    }
    common = {"pspReference": pi["id"], "externalUrl": _external_url(pi["id"]), "data": data}
    status = pi["status"]
    if status == "succeeded":
        received = pi.get("amount_received") or pi["amount"]
        return {
            **common,
            "result": "CHARGE_SUCCESS",
            "amount": str(to_decimal(received, currency)),
            "actions": ["REFUND"],
        }
    if status == "requires_capture":
        capturable = pi.get("amount_capturable") or pi["amount"]
        return {
            **common,
            "result": "AUTHORIZATION_SUCCESS",
            "amount": str(to_decimal(capturable, currency)),
            "actions": ["CHARGE", "CANCEL"],
        }
    amount = str(to_decimal(pi["amount"], currency))
    if status == "processing":
        return {**common, "result": f"{flow}_REQUEST", "amount": amount}
    if status == "canceled":
        return {
            **common,
            "result": f"{flow}_FAILURE",
            "amount": amount,
            "message": "The payment was canceled.",
        }
    # requires_payment_method / _confirmation / _action: the buyer (re)tries on the same PaymentIntent,
    # so a retry after a decline can never charge twice.
    error = pi.get("last_payment_error") or {}
    if error:
        data["error"] = error.get("message") or "The payment was declined."
    return {
        **common,
        "result": f"{flow}_ACTION_REQUIRED",
        "amount": amount,
        "message": data.get("error", "Waiting for the buyer to complete the payment."),
    }


def _source(payload: dict) -> tuple[str, str, str]:
    source = payload.get("sourceObject") or {}
    return source.get("__typename", ""), source.get("id", ""), (source.get("channel") or {}).get("slug", "")


def _record_for_initialize(*, installation: SaleorInstallation, payload: dict) -> PaymentIntentRecord:
    """Our record of the Saleor transaction; a unique constraint keeps it one per transaction."""
    action = payload["action"]
    transaction_id = payload["transaction"]["id"]
    currency = action["currency"].upper()
    amount = to_minor(action["amount"], currency)
    source_type, source_id, channel = _source(payload)
    flow = _flow(action.get("actionType", "CHARGE"))
    methods = [m for m in config.payment_methods(channel) if flow == "CHARGE" or m in config.CAPTURABLE_LATER]
    idempotency_key = f"wc-pi:{transaction_id}:{payload.get('idempotencyKey') or ''}"[:255]
    defaults = {
        "installation": installation,
        "idempotency_key": idempotency_key,
        "amount": amount,
        "currency": currency,
        "action_type": flow,
        "payment_methods": methods,
        "channel_slug": channel,
        "source_type": source_type,
        "source_id": source_id,
    }
    try:
        with transaction.atomic():
            record, _ = PaymentIntentRecord.objects.get_or_create(
                saleor_transaction_id=transaction_id, defaults=defaults
            )
    except IntegrityError:  # a concurrent delivery inserted it first
        record = PaymentIntentRecord.objects.get(saleor_transaction_id=transaction_id)
    if record.installation_id != installation.pk:
        raise AmountInvalid("the transaction belongs to another Saleor installation")
    if (record.amount, record.currency) != (amount, currency):
        raise AmountInvalid("the transaction was initialised before with a different amount")
    return record


def transaction_session_initialize(*, installation: SaleorInstallation, payload: dict) -> Response:
    """TRANSACTION_INITIALIZE_SESSION: one PaymentIntent for the exact amount; repeats return the same one."""
    flow = _flow((payload.get("action") or {}).get("actionType", "CHARGE"))
    try:
        record = _record_for_initialize(installation=installation, payload=payload)
    except (AmountInvalid, KeyError, TypeError) as exc:
        logger.warning("transaction initialise refused: %s", exc)
        return _failure(flow, f"{MESSAGES[GatewayErrorCode.AMOUNT_INVALID]} ({exc})")
    try:
        if record.payment_intent_id:
            pi = stripe_api.payment_intent_retrieve(record.payment_intent_id)
        else:
            pi = stripe_api.payment_intent_create(
                params=_payment_intent_params(record, payload), idempotency_key=record.idempotency_key
            )
    except RETRYABLE as exc:
        logger.warning("stripe unavailable creating a PaymentIntent for %s: %s", record, exc)
        return _failure(flow, MESSAGES[GatewayErrorCode.STRIPE_UNAVAILABLE])
    except stripe.StripeError as exc:
        return _failure(flow, f"{MESSAGES[GatewayErrorCode.STRIPE_REFUSED]} {user_message(exc)}")
    PaymentIntentRecord.objects.filter(pk=record.pk).update(
        payment_intent_id=pi["id"], stripe_status=pi["status"]
    )
    return _session_response(pi, record)


def _payment_intent_params(record: PaymentIntentRecord, payload: dict) -> dict[str, Any]:
    params: dict[str, Any] = {
        "amount": record.amount,
        "currency": record.currency.lower(),
        "payment_method_types": list(record.payment_methods),
        "capture_method": "manual" if record.action_type == "AUTHORIZATION" else "automatic",
        "metadata": {
            "saleor_transaction_id": record.saleor_transaction_id,
            "saleor_merchant_reference": payload.get("merchantReference") or "",
            "saleor_source_type": record.source_type,
            "saleor_source_id": record.source_id,
            "saleor_channel": record.channel_slug,
            "saleor_api_url": record.installation.api_url,
        },
    }
    if "wechat_pay" in record.payment_methods:
        params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
    return params


def _record_for(installation: SaleorInstallation, transaction_id: str) -> PaymentIntentRecord | None:
    return (
        PaymentIntentRecord.objects.filter(
            installation=installation, saleor_transaction_id=transaction_id, payment_intent_id__isnull=False
        )
        .select_related("installation")
        .first()
    )


def transaction_session_process(*, installation: SaleorInstallation, payload: dict) -> Response:
    """TRANSACTION_PROCESS_SESSION: report the PaymentIntent's state after the buyer confirmed it."""
    flow = _flow((payload.get("action") or {}).get("actionType", "CHARGE"))
    record = _record_for(installation, (payload.get("transaction") or {}).get("id", ""))
    if record is None:
        return _failure(flow, MESSAGES[GatewayErrorCode.UNKNOWN_TRANSACTION])
    try:
        pi = stripe_api.payment_intent_retrieve(record.payment_intent_id)
    except RETRYABLE:
        return {
            "result": f"{flow}_ACTION_REQUIRED",
            "pspReference": record.payment_intent_id,
            "message": MESSAGES[GatewayErrorCode.STRIPE_UNAVAILABLE],
        }
    except stripe.StripeError as exc:
        return _failure(flow, user_message(exc), pspReference=record.payment_intent_id)
    PaymentIntentRecord.objects.filter(pk=record.pk).update(stripe_status=pi["status"])
    return _session_response(pi, record)


def _request_event_id(payload: dict, request_type: str) -> str:
    """Saleor's request event for this action (newest first): a stable idempotency key across retries."""
    amount = Decimal(str(payload["action"]["amount"]))
    events = (payload.get("transaction") or {}).get("events") or []
    matching = [
        e
        for e in events
        if e.get("type") == request_type
        and Decimal(str((e.get("amount") or {}).get("amount", "0"))) == amount
    ]
    if matching:
        return max(matching, key=lambda e: e.get("createdAt") or "")["id"]
    return f"{(payload.get('grantedRefund') or {}).get('id', '')}@{payload.get('issuedAt', '')}"


class RequestRefused(AppError):
    """A charge/refund/cancel request the gateway cannot act on: Saleor gets `<ACTION>_FAILURE`, the text."""


def _requested(installation: SaleorInstallation, payload: dict) -> tuple[PaymentIntentRecord, int]:
    """The record and the requested amount in minor units, or RequestRefused."""
    transaction_id = (payload.get("transaction") or {}).get("id", "")
    record = _record_for(installation, transaction_id)
    if record is None:
        code = GatewayErrorCode.UNKNOWN_TRANSACTION
        raise RequestRefused(code, MESSAGES[code])
    action = payload["action"]
    try:
        return record, to_minor(action["amount"], action["currency"])
    except AmountInvalid as exc:
        code = GatewayErrorCode.AMOUNT_INVALID
        raise RequestRefused(code, f"{MESSAGES[code]} ({exc})") from exc


def _stripe_or_failure(record: PaymentIntentRecord, failure: str, call):
    """Run one Stripe call for a Saleor request: an outage raises for Saleor to retry, a refusal answers."""
    try:
        return call(), None
    except RETRYABLE as exc:
        raise StripeUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        return None, {
            "result": failure,
            "pspReference": record.payment_intent_id,
            "message": user_message(exc),
        }


def _intent_reached(
    record: PaymentIntentRecord, pi, *, status: str, failure: str, verb: str
) -> Response | None:
    """Store the intent's Stripe status; the failure to answer when it is not the one the request wanted."""
    PaymentIntentRecord.objects.filter(pk=record.pk).update(stripe_status=pi["status"])
    if pi["status"] == status:
        return None
    return {
        "result": failure,
        "pspReference": pi["id"],
        "message": f"The payment cannot be {verb} (Stripe status {pi['status']}).",
    }


def transaction_charge(*, installation: SaleorInstallation, payload: dict) -> Response:
    """TRANSACTION_CHARGE_REQUESTED: capture (part of) an authorised PaymentIntent."""
    try:
        record, amount = _requested(installation, payload)
    except RequestRefused as refused:
        return {"result": "CHARGE_FAILURE", "message": refused.message}
    key = f"wc-capture:{_request_event_id(payload, 'CHARGE_REQUEST')}"[:255]

    def capture():
        pi = stripe_api.payment_intent_retrieve(record.payment_intent_id)
        if pi["status"] != "requires_capture":
            return pi
        return stripe_api.payment_intent_capture(record.payment_intent_id, amount=amount, idempotency_key=key)

    pi, failed = _stripe_or_failure(record, "CHARGE_FAILURE", capture)
    failed = failed or _intent_reached(
        record, pi, status="succeeded", failure="CHARGE_FAILURE", verb="captured"
    )
    if failed:
        return failed
    captured = pi.get("amount_received") or amount
    return {
        "result": "CHARGE_SUCCESS",
        "pspReference": pi["id"],
        "amount": str(to_decimal(captured, record.currency)),
        "actions": ["REFUND"],
        "externalUrl": _external_url(pi["id"]),
    }


def transaction_refund(*, installation: SaleorInstallation, payload: dict) -> Response:
    """TRANSACTION_REFUND_REQUESTED: refund exactly the requested amount (full or partial)."""
    try:
        record, amount = _requested(installation, payload)
    except RequestRefused as refused:
        return {"result": "REFUND_FAILURE", "message": refused.message}
    request_id = _request_event_id(payload, "REFUND_REQUEST")
    params = {
        "payment_intent": record.payment_intent_id,
        "amount": amount,
        "metadata": {
            "saleor_transaction_id": record.saleor_transaction_id,
            "saleor_request_event_id": request_id,
        },
    }
    refund, failed = _stripe_or_failure(
        record,
        "REFUND_FAILURE",
        lambda: stripe_api.refund_create(params=params, idempotency_key=f"wc-refund:{request_id}"[:255]),
    )
    if failed:
        return failed
    decimal_amount = str(to_decimal(refund["amount"], record.currency))
    if refund["status"] == "succeeded":
        return {
            "result": "REFUND_SUCCESS",
            "pspReference": refund["id"],
            "amount": decimal_amount,
            "actions": ["REFUND"],
        }
    if refund["status"] in ("failed", "canceled"):
        return {
            "result": "REFUND_FAILURE",
            "pspReference": refund["id"],
            "amount": decimal_amount,
            "message": f"Stripe refund {refund['status']}.",
        }
    return {"pspReference": refund["id"]}  # pending: refund.updated reports the outcome later


# An intent in these states holds no captured money: cancelling it releases the authorisation.
_CANCELLABLE = ("requires_payment_method", "requires_capture", "requires_confirmation", "requires_action")


def transaction_cancel(*, installation: SaleorInstallation, payload: dict) -> Response:
    """TRANSACTION_CANCELATION_REQUESTED: release an authorisation (or an unpaid PaymentIntent)."""
    try:
        record, _amount = _requested(installation, payload)
    except RequestRefused as refused:
        return {"result": "CANCEL_FAILURE", "message": refused.message}
    key = f"wc-cancel:{_request_event_id(payload, 'CANCEL_REQUEST')}"[:255]

    def cancel():
        pi = stripe_api.payment_intent_retrieve(record.payment_intent_id)
        if pi["status"] not in _CANCELLABLE:
            return pi
        return stripe_api.payment_intent_cancel(record.payment_intent_id, idempotency_key=key)

    pi, failed = _stripe_or_failure(record, "CANCEL_FAILURE", cancel)
    failed = failed or _intent_reached(
        record, pi, status="canceled", failure="CANCEL_FAILURE", verb="canceled"
    )
    if failed:
        return failed
    return {
        "result": "CANCEL_SUCCESS",
        "pspReference": pi["id"],
        "amount": str(to_decimal(pi["amount"], record.currency)),
        "actions": [],
    }
