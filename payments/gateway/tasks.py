"""Celery tasks of the Stripe gateway: thin wrappers over events."""

from __future__ import annotations

from celery import shared_task

from payments.gateway import events


@shared_task(acks_late=True)
def stripe_event_process(pk: int) -> str:
    return events.stripe_event_process(pk=pk)


@shared_task
def stripe_events_redeliver() -> int:
    """Beat job: a stored Stripe event is reported even if its first attempt or its enqueue failed."""
    pks = events.stripe_events_due()
    for pk in pks:
        stripe_event_process.delay(pk)
    return len(pks)


@shared_task
def stripe_events_redact_expired() -> int:
    """Beat job: personal data in Stripe event payloads is removed after WEBHOOK_RETENTION_DAYS."""
    return events.stripe_events_redact_expired()
