"""The inbox: processing after commit, retries with backoff, parking, and no event processed twice."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from functools import partial

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from saleor_app import selectors, services
from saleor_app.models import WebhookEvent
from saleor_app.tasks import inbox_redeliver_stale
from tests.db_sessions import race
from tests.factories import SaleorInstallationFactory

pytestmark = pytest.mark.django_db(transaction=True)
calls: list[str] = []


def handler_that_writes(*, event_type, payload, installation):
    calls.append(payload["n"])
    Group.objects.create(name=f"written-by-{payload['n']}")  # any write: proves it commits with the event


def handler_that_writes_then_fails(*, event_type, payload, installation):
    Group.objects.create(name="half-done")
    raise ConnectionError("Saleor down")


def handler_that_parks(*, event_type, payload, installation):
    raise services.PermanentEventError("unit of line 7 cannot be resolved")


def slow_handler(*, event_type, payload, installation):
    calls.append("slow")
    threading.Event().wait(0.5)


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()


def store(n: int = 1, event_type="product_updated") -> int:
    body = json.dumps({"issuedAt": f"2026-11-27T10:00:0{n}Z", "n": n}).encode()
    with transaction.atomic():
        return services.inbox_store(
            installation=SaleorInstallationFactory(), event_type=event_type, body=body, signature="sig"
        )


def pending(key: str, payload: dict, *, installation=None, body: str | None = None) -> WebhookEvent:
    """A product_updated event written straight to the inbox (stored, never woken up for): pending."""
    return WebhookEvent.objects.create(
        key=key * 64,
        installation=installation or SaleorInstallationFactory(),
        event_type="product_updated",
        payload=payload,
        body=json.dumps(payload) if body is None else body,
        signature="s",
    )


def use(settings, handler):
    settings.SALEOR_WEBHOOK_HANDLERS = {"product_updated": f"{__name__}.{handler.__name__}"}


def test_processing_runs_after_commit_and_its_writes_commit_with_it(settings):
    use(settings, handler_that_writes)

    event_id = store()

    assert WebhookEvent.objects.get(pk=event_id).status == WebhookEvent.Status.DONE
    assert Group.objects.filter(name="written-by-1").exists()


def test_nothing_is_processed_when_the_request_transaction_rolls_back(settings):
    use(settings, handler_that_writes)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.inbox_store(
            installation=SaleorInstallationFactory(),
            event_type="product_updated",
            body=b'{"n": 1}',
            signature="s",
        )
        raise RuntimeError("request failed after storing")

    assert WebhookEvent.objects.count() == 0
    assert calls == []


def test_a_failing_handler_leaves_no_half_writes_and_is_retried_later(settings):
    use(settings, handler_that_writes_then_fails)

    event_id = store()

    event = WebhookEvent.objects.get(pk=event_id)
    assert event.status == WebhookEvent.Status.FAILED
    assert "Saleor down" in event.last_error
    assert not Group.objects.filter(name="half-done").exists()
    assert selectors.inbox_due_ids() == []  # not yet due: backoff
    WebhookEvent.objects.filter(pk=event_id).update(processed_at=timezone.now() - timedelta(minutes=5))
    assert selectors.inbox_due_ids() == [event_id]

    use(settings, handler_that_writes)
    assert inbox_redeliver_stale.delay().get() == 1

    event.refresh_from_db()
    assert (event.status, event.attempts) == (WebhookEvent.Status.DONE, 2)


def test_an_event_that_keeps_failing_is_parked_after_the_last_attempt(settings):
    use(settings, handler_that_writes_then_fails)
    event_id = store()
    WebhookEvent.objects.filter(pk=event_id).update(attempts=services.MAX_ATTEMPTS - 1)

    services.inbox_process(event_id=event_id)

    assert WebhookEvent.objects.get(pk=event_id).status == WebhookEvent.Status.PARKED


def test_a_permanent_error_parks_the_event_with_its_reason(settings):
    use(settings, handler_that_parks)

    event = WebhookEvent.objects.get(pk=store())

    assert event.status == WebhookEvent.Status.PARKED
    assert event.last_error == "unit of line 7 cannot be resolved"


def test_an_event_without_a_handler_is_marked_ignored(settings):
    settings.SALEOR_WEBHOOK_HANDLERS = {"product_updated": None}  # switch the real handlers off

    event = WebhookEvent.objects.get(pk=store())

    assert event.status == WebhookEvent.Status.IGNORED


def test_a_lost_enqueue_is_redelivered_by_the_sweep(settings):
    use(settings, handler_that_writes)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    event = pending("k", {"n": 9})
    WebhookEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - timedelta(minutes=10))

    inbox_redeliver_stale.delay()

    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.DONE
    assert calls == [9]


def test_a_wake_up_lost_with_redis_is_made_good_by_the_next_sweep_not_two_minutes_later(settings):
    # Found by bench/soak.py: after Redis restarted empty, events stored just before waited for the sweep's
    # 120 s "lost" mark (three minutes with its interval) although a drain takes any pending event.
    from saleor_app import wakeup

    use(settings, handler_that_writes)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    event = pending("w", {"n": 8})  # stored, its wake-up gone with Redis's queue
    WebhookEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - timedelta(seconds=10))
    wakeup.inbox_kick_consumed()

    inbox_redeliver_stale.delay()

    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.DONE
    assert calls == [8]


def test_two_workers_on_the_same_event_process_it_once(settings):
    use(settings, slow_handler)
    event = pending("c", {})
    results = race(*[partial(services.inbox_process, event_id=event.pk)] * 2)

    assert sorted(results) == ["done", "skipped"]
    assert calls == ["slow"]


def test_a_drain_that_finds_a_backlog_wakes_a_second_workers_drain(settings, monkeypatch):
    # Found by bench/soak.py: once deliveries stopped, a backlog drained on one worker, the others idle.
    from saleor_app import tasks, wakeup

    use(settings, handler_that_writes)
    installation = SaleorInstallationFactory()
    for n in range(3):
        pending(f"{n}", {"n": n}, installation=installation, body="{}")
    monkeypatch.setattr(tasks, "DRAIN_CHUNK", 2)
    wakes: list[int] = []
    monkeypatch.setattr(wakeup, "inbox_kick", lambda: wakes.append(1))

    walked = tasks.inbox_drain()

    assert walked == 3
    assert wakes == [1]  # one second drain, woken at the start
    assert calls == [0, 1, 2]
