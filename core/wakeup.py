"""Coalesced wake-ups of a draining worker: one Celery message per burst of stored rows, not per row.

A request, after its commit, sets a short-lived Redis key with NX; only the request that sets it queues the
drain task, and the drain clears the key before it reads its inbox. So a row committed while a drain is
queued is seen by that drain, and one committed after the drain started sets the key again and queues the
next drain. The key's TTL and a beat sweep cover a lost message (Redis restarted empty, a flush).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings

logger = logging.getLogger(__name__)
KICK_TTL_MS = 5000


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)


@dataclass(frozen=True)
class Wakeup:
    name: str  # the key's name within the queue's
    enqueue: Callable[[], object]  # queues the drain task

    def key(self) -> str:
        # Per queue: deployments (or test runs) sharing one Redis never suppress each other's wake-ups.
        return f"{settings.CELERY_TASK_DEFAULT_QUEUE}:{self.name}"

    def kick(self) -> None:
        """Make sure a drain is queued; cheap when one already is."""
        try:
            if not _redis().set(self.key(), "1", nx=True, px=KICK_TTL_MS):
                return
        except redis.RedisError:
            logger.warning("wake-up key %s unavailable; queueing a drain anyway", self.name, exc_info=True)
        self.enqueue()

    def consumed(self) -> None:
        """Called by the drain before it reads its inbox: later rows must queue a new drain."""
        try:
            _redis().delete(self.key())
        except redis.RedisError:
            logger.warning("could not clear wake-up key %s; it expires by itself", self.name, exc_info=True)
