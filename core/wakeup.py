"""Coalesced wake-ups of a draining worker: one Celery message per burst of stored rows, not per row.

A request, after its commit, sets a short-lived Redis key with NX; only the request that sets it queues the
drain task, and the drain clears the key before it reads its inbox. So a row committed while a drain is
queued is seen by that drain, and one committed after the drain started sets the key again and queues the
next drain. The key's TTL and a beat sweep cover a lost message (Redis restarted empty, a flush).

Within a burst a process does not ask Redis for every row either: once it has seen the key in place (its SET
found it, or created it) at local time t, a row it commits before t + WINDOW needs no round trip. The drain
that will clear that key had not cleared it at t, so it clears it later, and it waits GRACE (> WINDOW) after
clearing before it reads: its read starts after t + GRACE, after that row's commit. (Durations only, each on
its own monotonic clock: no clock is compared with another machine's.)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import redis
from django.conf import settings

logger = logging.getLogger(__name__)
KICK_TTL_MS = 5000
WINDOW_SECONDS = 0.020  # a process skips the round trip this long after it saw the key in place
GRACE_SECONDS = 2 * WINDOW_SECONDS  # a drain waits this long between clearing the key and reading


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)


@dataclass
class _Seen:
    """When this process last saw the key in place (monotonic), per key name: one per process."""

    at: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_seen = _Seen()


@dataclass(frozen=True)
class Wakeup:
    name: str  # the key's name within the queue's
    enqueue: Callable[[], object]  # queues the drain task

    def key(self) -> str:
        # Per queue: deployments (or test runs) sharing one Redis never suppress each other's wake-ups.
        return f"{settings.CELERY_TASK_DEFAULT_QUEUE}:{self.name}"

    def kick(self) -> None:
        """Make sure a drain is queued; cheap when one already is, free when this process just saw one."""
        key = self.key()
        # read after the caller's commit: the commit came before `now`, so before seen + WINDOW
        now = time.monotonic()
        if now - _seen.at.get(key, float("-inf")) < WINDOW_SECONDS:
            return
        try:
            created = _redis().set(key, "1", nx=True, px=KICK_TTL_MS)
        except redis.RedisError:
            logger.warning("wake-up key %s unavailable; queueing a drain anyway", self.name, exc_info=True)
            self.enqueue()
            return
        # `now` was taken before the SET reached Redis: the key was in place at a moment after it.
        with _seen.lock:
            _seen.at[key] = max(now, _seen.at.get(key, float("-inf")))
        if created:
            self.enqueue()

    def consumed(self) -> None:
        """Called by the drain before it reads its inbox: later rows must queue a new drain.

        Returns GRACE after the key is cleared: a row whose process skipped its kick (it had seen this key
        within WINDOW) was committed by then."""
        key = self.key()
        with _seen.lock:
            _seen.at.pop(key, None)
        try:
            _redis().delete(key)
        except redis.RedisError:
            logger.warning("could not clear wake-up key %s; it expires by itself", self.name, exc_info=True)
        time.sleep(GRACE_SECONDS)
