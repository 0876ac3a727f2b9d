"""The bounded in-process cache: least recently used entries leave first, every entry expires."""

from __future__ import annotations

from core.lru import LRUCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_it_never_holds_more_than_maxsize_and_drops_the_least_recently_used():
    cache: LRUCache[int] = LRUCache(maxsize=3, ttl=60, clock=Clock())
    for n in range(3):
        cache.set(f"k{n}", n)
    cache.get("k0")  # used: k1 is now the least recently used

    cache.set("k3", 3)

    assert len(cache) == 3
    assert cache.get("k1") is None
    assert [cache.get(k) for k in ("k0", "k2", "k3")] == [0, 2, 3]


def test_an_entry_expires_after_its_ttl():
    clock = Clock()
    cache: LRUCache[str] = LRUCache(maxsize=3, ttl=30, clock=clock)
    cache.set("url", "installation")

    clock.now += 29.9
    fresh = cache.get("url")
    clock.now += 0.1
    stale = cache.get("url")

    assert (fresh, stale, len(cache)) == ("installation", None, 0)
