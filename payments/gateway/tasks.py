"""Celery tasks of the Stripe gateway: thin wrappers over events (imported inside: events enqueue tasks)."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def stripe_event_process(pk: int) -> str:
    from payments.gateway import events

    return events.stripe_event_process(pk=pk)


@shared_task
def stripe_events_redeliver() -> int:
    """Beat job: a stored Stripe event is reported even if its first attempt or its enqueue failed."""
    from payments.gateway import events

    pks = events.stripe_events_due()
    for pk in pks:
        stripe_event_process.delay(pk)
    return len(pks)


@shared_task
def stripe_events_redact_expired() -> int:
    """Beat job: personal data in Stripe event payloads is removed after WEBHOOK_RETENTION_DAYS."""
    from payments.gateway import events

    return events.stripe_events_redact_expired()
