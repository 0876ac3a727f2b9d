"""A real Celery worker on Redis processes what the webhook view stored (no eager mode here)."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager

import httpx
import pytest
import respx
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings

from saleor_app.models import WebhookEvent
from tests.factories import APP_ID, SaleorInstallationFactory
from wenchuang.celery import app as celery_app

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def redis_worker(settings):
    """Celery configured as in production (broker = Redis), with one in-process worker thread.

    A context manager used inside the test body, not a fixture: pytest enters its log capture at the start of
    each phase by iterating logging's logger registry, and a worker thread alive across a phase boundary
    registers loggers meanwhile ("dictionary changed size during iteration", seen in CI). Started and joined
    within the call phase, the thread never overlaps a phase boundary.
    """
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.update(task_always_eager=False, broker_url=django_settings.REDIS_URL, result_backend=None)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING") as worker:
            yield worker
    finally:
        celery_app.conf.update(task_always_eager=True)


def test_a_delivery_is_processed_by_a_worker_through_redis(client, signer, settings):
    with redis_worker(settings):
        _deliver_and_wait_for_the_worker(client, signer, settings)


def _deliver_and_wait_for_the_worker(client, signer, settings):
    settings.SALEOR_WEBHOOK_HANDLERS = {"product_updated": None}  # switch the real handlers off
    installation = SaleorInstallationFactory()
    payload = {"issuedAt": "2026-11-27T10:00:00Z", "recipient": {"id": APP_ID}}
    payload["product"] = {"id": "UHJvZHVjdDox"}
    body = json.dumps(payload).encode()
    with respx.mock(assert_all_called=False) as mock:
        mock.get(installation.jwks_url).mock(return_value=httpx.Response(200, json=signer.jwks()))
        response = client.post(
            "/saleor/webhooks/product-changes",
            data=body,
            content_type="application/json",
            headers={
                "Saleor-Event": "product_updated",
                "Saleor-Api-Url": installation.api_url,
                "Saleor-Signature": signer.sign(body),
            },
        )
    assert response.status_code == 200

    deadline = time.monotonic() + 20
    event = WebhookEvent.objects.get()
    while event.status == WebhookEvent.Status.PENDING and time.monotonic() < deadline:
        time.sleep(0.1)
        event.refresh_from_db()

    assert event.status == WebhookEvent.Status.IGNORED  # processed by the worker: no handler configured
    assert event.attempts == 1


def test_a_burst_of_deliveries_queues_one_drain_and_the_drain_takes_them_all(settings):
    import redis
    from django.db import transaction

    from saleor_app import services, wakeup
    from saleor_app.tasks import inbox_drain

    settings.SALEOR_WEBHOOK_HANDLERS = {"product_updated": None}  # switch the real handlers off
    celery_app.conf.update(task_always_eager=False, broker_url=django_settings.REDIS_URL)
    queue = redis.Redis.from_url(django_settings.REDIS_URL)
    queue.delete(django_settings.CELERY_TASK_DEFAULT_QUEUE)
    wakeup.inbox_kick_consumed()
    installation = SaleorInstallationFactory()
    try:

        def deliver(n):
            with transaction.atomic():
                services.inbox_store(
                    installation=installation,
                    event_type="product_updated",
                    body=b'{"n": %d}' % n,
                    signature="s",
                )

        for n in range(3):
            deliver(n)
        assert queue.llen(django_settings.CELERY_TASK_DEFAULT_QUEUE) == 1

        assert inbox_drain.apply().get() == 3
        assert set(WebhookEvent.objects.values_list("status", flat=True)) == {WebhookEvent.Status.IGNORED}

        deliver(3)  # the drain consumed the wake-up: the next delivery queues a new drain
        assert queue.llen(django_settings.CELERY_TASK_DEFAULT_QUEUE) == 2
    finally:
        queue.delete(django_settings.CELERY_TASK_DEFAULT_QUEUE)
        wakeup.inbox_kick_consumed()  # the last wake-up: a later test's first kick must queue a drain
        celery_app.conf.update(task_always_eager=True)
