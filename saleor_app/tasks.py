"""Celery tasks of the Saleor App: thin wrappers over services (imported inside: services enqueue tasks)."""

from __future__ import annotations

from celery import shared_task

CONFIRM_RETRIES = 6


@shared_task
def confirm_installation(installation_id: int, attempt: int = 0) -> str:
    """Prove a freshly delivered token; Saleor commits the app only after our register view answers."""
    from saleor_app import services

    result = services.installation_confirm(installation_id=installation_id)
    if result.confirmed:
        return result.app_id
    if attempt >= CONFIRM_RETRIES:
        # Saleor may still be installing: only a token pending for long is dropped; the active one stays.
        discarded = services.installation_discard_stale_pending(
            installation_id=installation_id, reason=result.error
        )
        return "discarded" if discarded else "left pending"
    # Backoff 2, 4, ... 64 s: about two minutes for Saleor to finish installing before we give up.
    confirm_installation.apply_async((installation_id, attempt + 1), countdown=2 ** (attempt + 1))
    return f"retry {attempt + 1} scheduled"


DRAIN_BATCH = 500
DRAIN_CHUNK = 100  # events read at a time; a drain whose first read is full wakes a second worker's


@shared_task(acks_late=True)
def process_webhook_event(event_id: int) -> str:
    from saleor_app import services

    return services.inbox_process(event_id=event_id)


@shared_task(acks_late=True)
def inbox_drain() -> int:
    """Process pending events in id order; hand over to a fresh drain after a batch so workers share."""
    from saleor_app import selectors, services, wakeup

    wakeup.inbox_kick_consumed()
    processed, last_id = 0, 0
    while processed < DRAIN_BATCH:
        ids = selectors.inbox_pending_ids(after_id=last_id, limit=DRAIN_CHUNK)
        if not ids:
            return processed
        if not processed and len(ids) == DRAIN_CHUNK:
            # A backlog: another worker's drain joins this one (each skips the events the other holds);
            # without it a backlog drains on one worker while the others wait for the next delivery.
            wakeup.inbox_kick()
        for event_id in ids:
            services.inbox_process(event_id=event_id)
            last_id = event_id
        processed += len(ids)
    wakeup.inbox_kick()
    return processed


@shared_task
def inbox_redeliver_stale() -> int:
    """Beat job: nothing stored is ever lost, even if an enqueue after commit failed."""
    from saleor_app import selectors, wakeup

    if selectors.inbox_pending_ids(limit=1):
        # A drain takes every pending event, however recent: a wake-up lost with Redis's queue (a restart,
        # a flush) costs one sweep interval, not the 120 s after which an event counts as lost.
        wakeup.inbox_kick()
    ids = selectors.inbox_due_ids()
    for event_id in ids:
        process_webhook_event.delay(event_id)
    return len(ids)


@shared_task
def inbox_redact_expired() -> int:
    """Beat job: delivery bodies (personal data) are removed after WEBHOOK_RETENTION_DAYS."""
    from saleor_app import services

    return services.inbox_redact_expired()
