"""Celery tasks of the Stripe gateway: thin wrappers over events (imported inside: events enqueue tasks)."""

from __future__ import annotations

from celery import shared_task

RETRY_BATCH = 50


@shared_task(acks_late=True)
def stripe_event_process(pk: int) -> str:
    """One event (messages queued before the drains; the drain and the retries run the same code)."""
    from payments.gateway import events

    return events.stripe_event_process(pk=pk)


@shared_task(acks_late=True)
def stripe_events_process(pks: list[int]) -> list[str]:
    """Events due for a retry, a batch per task: each as alone (its own claim, lock and attempt)."""
    from payments.gateway import events

    return [events.stripe_event_process(pk=pk) for pk in pks]


@shared_task(acks_late=True)
def stripe_events_drain() -> int:
    from payments.gateway import events

    return events.stripe_events_drain()


@shared_task
def stripe_events_redeliver() -> int:
    """Beat job: a stored Stripe event is reported even if its first attempt or its wake-up failed."""
    from payments.gateway import events

    pks = events.stripe_events_sweep()
    for start in range(0, len(pks), RETRY_BATCH):
        stripe_events_process.delay(pks[start : start + RETRY_BATCH])
    return len(pks)


@shared_task
def stripe_events_redact_expired() -> int:
    """Beat job: personal data in Stripe event payloads is removed after WEBHOOK_RETENTION_DAYS."""
    from payments.gateway import events

    return events.stripe_events_redact_expired()
