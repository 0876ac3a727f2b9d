"""Stripe webhook events: stored once by id, then reported to Saleor with transactionEventReport;
the fee of a succeeded charge is recorded and posted to its order (payments.gateway.fees)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from core import clock
from core.db import redact_in_batches
from core.retry import INBOX_RETRY
from core.wakeup import Wakeup
from payments.gateway import fees, stripe_api, tasks
from payments.gateway.models import PaymentIntentRecord, StripeEvent, TransactionEventReport
from payments.gateway.money import to_decimal
from saleor_app.client import SaleorClient

logger = logging.getLogger(__name__)

# An event a worker is processing is "processing" and held by that worker's session lock (`_held`). A worker
# killed mid-event loses its connection and so its lock at once: the event is taken again as soon as the
# beat sweep finds it processing for this long (a live worker still holding it is left alone).
STUCK_AFTER = timedelta(seconds=60)
# A drain hands over to a fresh one after this many events, so that workers share (and Saleor's drain runs).
DRAIN_BATCH = 200
_WAKEUP = Wakeup("stripe-events-kick", lambda: tasks.stripe_events_drain.delay())

_INSERT_EVENT = """
INSERT INTO payments_stripeevent
    (event_id, event_type, livemode, payload, received_at, status, attempts, last_error)
VALUES (%s, %s, %s, %s, %s, 'pending', 0, '')
ON CONFLICT (event_id) DO NOTHING
RETURNING id
"""


def stripe_event_store(*, payload: dict) -> int | None:
    """Insert a verified Stripe event; its id, or None when this event id was stored before.

    Must run inside the request's transaction: a drain is woken on commit (one per burst of deliveries).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_EVENT,
            [
                payload["id"],
                payload["type"],
                bool(payload.get("livemode")),
                json.dumps(payload),
                clock.now(),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    # robust: once stored, a broker outage is logged, not answered 500 (the beat sweep wakes a drain)
    transaction.on_commit(stripe_events_kick, robust=True)
    return row[0]


def stripe_events_kick() -> None:
    """Make sure a drain is queued; cheap when one already is (core.wakeup)."""
    _WAKEUP.kick()


@dataclass(frozen=True)
class PlannedReport:
    record: PaymentIntentRecord
    psp_reference: str
    event_type: str  # Saleor TransactionEventTypeEnum
    amount: int  # minor units
    message: str = ""
    actions: tuple[str, ...] | None = None


def _record(payment_intent_id: str | None) -> PaymentIntentRecord | None:
    if not payment_intent_id:
        return None
    return (
        PaymentIntentRecord.objects.select_related("installation")
        .filter(payment_intent_id=payment_intent_id)
        .first()
    )


def _flow(pi: dict, record: PaymentIntentRecord) -> str:
    manual = pi.get("capture_method") == "manual" or record.action_type == "AUTHORIZATION"
    return "AUTHORIZATION" if manual else "CHARGE"


def _payment_intent_reports(event_type: str, pi: dict) -> list[PlannedReport]:
    record = _record(pi.get("id"))
    if record is None:
        return []
    flow = _flow(pi, record)
    amount = pi.get("amount") or record.amount
    error = (pi.get("last_payment_error") or {}).get("message") or ""
    match event_type.removeprefix("payment_intent."):
        case "succeeded":
            received = pi.get("amount_received") or amount
            return [PlannedReport(record, pi["id"], "CHARGE_SUCCESS", received, actions=("REFUND",))]
        case "amount_capturable_updated":
            capturable = pi.get("amount_capturable") or amount
            return [
                PlannedReport(
                    record, pi["id"], "AUTHORIZATION_SUCCESS", capturable, actions=("CHARGE", "CANCEL")
                )
            ]
        case "payment_failed":
            return [
                PlannedReport(record, pi["id"], f"{flow}_FAILURE", amount, error or "The payment failed.")
            ]
        case "canceled":
            return [PlannedReport(record, pi["id"], "CANCEL_SUCCESS", amount, actions=())]
        case "processing":
            return [PlannedReport(record, pi["id"], f"{flow}_REQUEST", amount)]
        case "requires_action":
            return [PlannedReport(record, pi["id"], f"{flow}_ACTION_REQUIRED", amount)]
    return []


def _refund_report(refund: dict, record: PaymentIntentRecord) -> PlannedReport | None:
    status = refund.get("status")
    if status == "succeeded":
        return PlannedReport(record, refund["id"], "REFUND_SUCCESS", refund["amount"], actions=("REFUND",))
    if status in ("failed", "canceled"):
        reason = refund.get("failure_reason") or status
        return PlannedReport(
            record, refund["id"], "REFUND_FAILURE", refund["amount"], f"Stripe refund {reason}."
        )
    return None  # pending / requires_action: its refund.updated event reports the outcome


def _refund_reports(refund: dict) -> list[PlannedReport]:
    pi_id = refund.get("payment_intent") or (
        refund.get("charge") and stripe_api.payment_intent_of_charge(refund["charge"])
    )
    record = _record(pi_id)
    report = _refund_report(refund, record) if record else None
    return [report] if report else []


def _charge_refunded_reports(charge: dict) -> list[PlannedReport]:
    record = _record(charge.get("payment_intent"))
    if record is None:
        return []
    embedded = (charge.get("refunds") or {}).get("data")
    # Recent API versions leave charge.refunds out of webhooks: ask Stripe for them.
    refunds = embedded if embedded is not None else stripe_api.refunds_of_charge(charge["id"])
    return [r for r in (_refund_report(refund, record) for refund in refunds) if r]


def _dispute_reports(dispute: dict) -> list[PlannedReport]:
    pi_id = dispute.get("payment_intent") or (
        dispute.get("charge") and stripe_api.payment_intent_of_charge(dispute["charge"])
    )
    record = _record(pi_id)
    if record is None:
        return []
    reason = dispute.get("reason") or "unspecified"
    return [
        PlannedReport(record, dispute["id"], "CHARGE_BACK", dispute["amount"], f"Dispute opened: {reason}.")
    ]


def planned_reports(payload: dict) -> list[PlannedReport]:
    """What a Stripe event means for Saleor transactions; empty for events that are not ours."""
    event_type = payload["type"]
    obj = payload["data"]["object"]
    if event_type.startswith("payment_intent."):
        return _payment_intent_reports(event_type, obj)
    if event_type in ("refund.created", "refund.updated", "refund.failed"):
        return _refund_reports(obj)
    if event_type == "charge.refunded":
        return _charge_refunded_reports(obj)
    if event_type == "charge.dispute.created":
        return _dispute_reports(obj)
    return []


def transaction_event_report(*, planned: PlannedReport, stripe_event: StripeEvent) -> TransactionEventReport:
    """Report one event to Saleor unless we did before; the row lock stops concurrent doubles."""
    record = planned.record
    with transaction.atomic():
        report, _ = TransactionEventReport.objects.get_or_create(
            saleor_transaction_id=record.saleor_transaction_id,
            psp_reference=planned.psp_reference,
            event_type=planned.event_type,
            amount=planned.amount,
            defaults={
                "installation": record.installation,
                "currency": record.currency,
                "stripe_event": stripe_event,
            },
        )
        report = TransactionEventReport.objects.select_for_update().get(pk=report.pk)
        if report.reported_at is not None:
            return report
        installation = record.installation
        variables: dict[str, Any] = {
            "id": record.saleor_transaction_id,
            "pspReference": planned.psp_reference,
            "type": planned.event_type,
            "amount": str(to_decimal(planned.amount, record.currency)),
            "time": datetime.fromtimestamp(stripe_event.payload.get("created", 0), tz=UTC).isoformat(),
            "message": planned.message or f"Stripe {stripe_event.event_type} ({stripe_event.event_id})",
            "availableActions": list(planned.actions) if planned.actions is not None else None,
        }
        result = SaleorClient(installation.api_url, installation.token).mutate(
            "TransactionEventReport", variables, "transactionEventReport"
        )
        report.reported_at = clock.now()
        report.already_processed = bool(result.get("alreadyProcessed"))
        report.saleor_event_id = (result.get("transactionEvent") or {}).get("id") or ""
        report.save(update_fields=["reported_at", "already_processed", "saleor_event_id"])
    return report


def _lock_key(pk: int) -> str:
    return f"wc-stripe-event:{pk}"


def _held(pk: int) -> bool:
    """Take this event's session lock: held by this worker's connection until `_release` or until the
    connection ends (a worker killed mid-event frees it at once). False: a live worker has it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [_lock_key(pk)])
        return bool(cursor.fetchone()[0])


def _release(pk: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [_lock_key(pk)])


def _claim(pk: int) -> StripeEvent | None:
    """Mark the event as taken by this worker (attempts + 1) and hold its lock; None if done or a live
    worker has it. One left processing whose lock is free was left by a worker that died: taken again."""
    open_ = Q(status__in=[StripeEvent.Status.PENDING, StripeEvent.Status.FAILED])
    stuck = Q(status=StripeEvent.Status.PROCESSING)
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update(skip_locked=True).filter(open_ | stuck, pk=pk).first()
        if event is None or not _held(pk):
            return None
        event.attempts += 1
        event.status = StripeEvent.Status.PROCESSING
        event.processed_at = clock.now()
        event.save(update_fields=["attempts", "status", "processed_at"])
    return event


def stripe_event_process(*, pk: int) -> str:
    """Report a stored Stripe event to Saleor; failures stay stored and retry, successes never repeat."""
    event = _claim(pk)
    if event is None:
        return "skipped"
    try:
        plans = planned_reports(event.payload)
        for plan in plans:
            transaction_event_report(planned=plan, stripe_event=event)
        fee_recorded = fees.event_fee_collect(payload=event.payload)
    except Exception as exc:  # an outage (Saleor, Stripe) or a bug: keep the event and retry it later
        logger.exception("stripe event %s (%s) failed", event.event_id, event.event_type)
        status, error = StripeEvent.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    else:
        status, error = (StripeEvent.Status.DONE if plans or fee_recorded else StripeEvent.Status.IGNORED), ""
    try:
        StripeEvent.objects.filter(pk=pk).update(status=status, last_error=error, processed_at=clock.now())
    finally:
        _release(pk)
    return status


def stripe_events_pending_ids(*, after_id: int = 0, limit: int = 100) -> list[int]:
    """Pending events in id order, for the drain to walk through once."""
    return list(
        StripeEvent.objects.filter(status=StripeEvent.Status.PENDING, pk__gt=after_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def stripe_events_drain(*, batch: int = DRAIN_BATCH, chunk: int = 100) -> int:
    """Process pending events in id order, each exactly as alone (`stripe_event_process`: its row and session
    lock, its attempt counted, a failure kept for the retry sweep); after `batch`, wake a fresh drain so
    workers share. A drain whose first read of `chunk` events is full wakes a second worker's drain to join
    it (a backlog; each skips the events the other holds). How many events it walked."""
    _WAKEUP.consumed()
    processed, last_id = 0, 0
    while processed < batch:
        pks = stripe_events_pending_ids(after_id=last_id, limit=min(chunk, batch - processed))
        if not pks:
            return processed
        if not processed and len(pks) == chunk:
            stripe_events_kick()
        for pk in pks:
            stripe_event_process(pk=pk)
            last_id = pk
        processed += len(pks)
    stripe_events_kick()
    return processed


def stripe_events_sweep() -> list[int]:
    """Beat: wake a drain when any event is pending (its wake-up may have gone with Redis's queue: a drain
    takes every pending event, however recent), and the events due for a retry, for the caller to queue."""
    if stripe_events_pending_ids(limit=1):
        stripe_events_kick()
    return stripe_events_due()


def stripe_events_due(*, lost_after_seconds: int = 120, limit: int = 500) -> list[int]:
    """Events to (re)process: pending ones whose enqueue was lost, failed ones past their backoff."""
    now = clock.now()
    lost = Q(status=StripeEvent.Status.PENDING, received_at__lt=now - timedelta(seconds=lost_after_seconds))
    due = Q(status=StripeEvent.Status.PROCESSING, processed_at__lt=now - STUCK_AFTER)
    due |= Q(status=StripeEvent.Status.FAILED) & INBOX_RETRY.due(
        now=now, attempts_field="attempts", at_field="processed_at"
    )
    return list(
        StripeEvent.objects.filter(lost | due).order_by("received_at").values_list("pk", flat=True)[:limit]
    )


REDACTABLE = (StripeEvent.Status.DONE, StripeEvent.Status.IGNORED)


def stripe_events_redact_expired(*, now: datetime | None = None, batch: int = 500) -> int:
    """Strip processed events received over WEBHOOK_RETENTION_DAYS ago to their skeleton; how many were.

    A charge's billing details (name, e-mail, phone, address) and receipt e-mail are personal data; what
    accounting needs was posted to the ledger and reported to Saleor. The event id, type, status and times
    stay, so a replay is still a no-op; failed events keep their payload until they succeed."""
    now = now or clock.now()
    cutoff = now - timedelta(days=settings.WEBHOOK_RETENTION_DAYS)

    def redact(event: StripeEvent) -> None:
        event.payload = _skeleton(event.payload)

    return redact_in_batches(
        StripeEvent.objects.filter(received_at__lt=cutoff, status__in=REDACTABLE),
        redact=redact,
        fields=["payload"],
        now=now,
        batch=batch,
    )


def _skeleton(payload: dict) -> dict:
    """The event's own facts and the id of the object it was about, nothing of that object's content."""
    kept = {key: payload[key] for key in ("id", "object", "type", "created", "livemode") if key in payload}
    obj = (payload.get("data") or {}).get("object") or {}
    kept["data"] = {"object": {key: obj[key] for key in ("id", "object") if key in obj}}
    return kept
