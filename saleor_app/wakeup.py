"""Coalesced wake-ups of the inbox worker: one Celery message per burst of deliveries, not per delivery.

A delivery's request, after commit, sets a short-lived Redis key with NX; only the request that sets it
queues an `inbox_drain` task, and the drain deletes the key before it reads the inbox. So an event
committed while a drain is queued is seen by that drain, and one committed after the drain started
sets the key again and queues the next drain. The key's TTL and the beat sweep cover a lost message.
"""

from __future__ import annotations

import logging
from functools import cache

import redis
from django.conf import settings

from saleor_app.tasks import inbox_drain

logger = logging.getLogger(__name__)
KICK_TTL_MS = 5000


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)


def _key() -> str:
    # Per queue: deployments (or test runs) sharing one Redis never suppress each other's wake-ups.
    return f"{settings.CELERY_TASK_DEFAULT_QUEUE}:inbox-kick"


def inbox_kick() -> None:
    """Make sure a drain is queued; cheap when one already is."""
    try:
        if not _redis().set(_key(), "1", nx=True, px=KICK_TTL_MS):
            return
    except redis.RedisError:
        logger.warning("inbox wake-up key unavailable; queueing a drain anyway", exc_info=True)
    inbox_drain.delay()


def inbox_kick_consumed() -> None:
    """Called by the drain before it reads the inbox: later deliveries must queue a new drain."""
    try:
        _redis().delete(_key())
    except redis.RedisError:
        logger.warning("could not clear the inbox wake-up key; it expires by itself", exc_info=True)
