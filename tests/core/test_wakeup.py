"""Wake-ups within a burst: a process that just saw the drain's key in place skips the round trip to Redis,
and the drain reads its inbox only after the window in which such a process may still commit."""

from __future__ import annotations

import time

import pytest
import redis

from core import wakeup
from core.wakeup import GRACE_SECONDS, WINDOW_SECONDS, Wakeup


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class _Unreachable:
    def set(self, *args, **kwargs):
        raise AssertionError("no round trip to Redis expected here")

    delete = set


@pytest.fixture
def drains():
    queued: list[int] = []
    waker = Wakeup("test-window-kick", lambda: queued.append(1))
    waker.consumed()
    yield waker, queued
    waker.consumed()


def test_a_burst_queues_one_drain_and_asks_redis_once_per_window(drains, monkeypatch):
    waker, queued = drains
    clock = _Clock()
    monkeypatch.setattr(wakeup.time, "monotonic", clock)

    waker.kick()  # sets the key, queues the drain
    assert queued == [1]
    reachable = wakeup._redis()
    monkeypatch.setattr(wakeup, "_redis", lambda: _Unreachable())
    clock.now += WINDOW_SECONDS / 2
    waker.kick()  # within the window: this process saw the key in place, no round trip
    assert queued == [1]

    monkeypatch.setattr(wakeup, "_redis", lambda: reachable)
    clock.now += WINDOW_SECONDS
    waker.kick()  # past it: asks Redis again, the key is still there (the drain has not started)
    assert queued == [1]
    assert reachable.exists(waker.key())


def test_a_drain_clears_the_key_and_waits_out_the_window_before_it_reads(drains):
    waker, queued = drains
    waker.kick()
    started = time.monotonic()

    waker.consumed()

    assert time.monotonic() - started >= GRACE_SECONDS > WINDOW_SECONDS
    assert not wakeup._redis().exists(waker.key())
    waker.kick()  # the next row in this process asks again at once, and queues the next drain
    assert queued == [1, 1]


def test_with_redis_unreachable_every_row_queues_a_drain(drains, monkeypatch):
    waker, queued = drains

    class _Down:
        def set(self, *args, **kwargs):
            raise redis.ConnectionError("down")

        delete = set

    monkeypatch.setattr(wakeup, "_redis", lambda: _Down())
    waker.kick()
    waker.kick()

    assert queued == [1, 1]  # nothing seen, nothing skipped
