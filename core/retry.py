"""One retry policy for beat-job retries: exponential backoff, capped, then parked or kept at the cap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q


@dataclass(frozen=True)
class Backoff:
    max_attempts: int | None  # None: never parked, retried every cap_seconds for ever
    base_seconds: int
    cap_seconds: int

    def wait(self, attempts: int) -> timedelta:
        """How long after its n-th failed attempt a row is retried: base * 2**n seconds, capped."""
        return timedelta(seconds=min(self.base_seconds * 2**attempts, self.cap_seconds))

    def exhausted(self, attempts: int) -> bool:
        return self.max_attempts is not None and attempts >= self.max_attempts

    def _capped_from(self) -> int:
        """The first attempt count whose wait is the cap."""
        attempts = 1
        while self.base_seconds * 2**attempts < self.cap_seconds:
            attempts += 1
        return attempts

    def due(self, *, now: datetime, attempts_field: str, at_field: str) -> Q:
        """Rows past their wait: one term per attempt count still retried (an exhausted row is parked);
        without a limit, one last term for every count from where the wait reaches the cap."""
        last = self.max_attempts if self.max_attempts is not None else self._capped_from()
        due = Q()
        for attempts in range(1, last):
            due |= Q(**{attempts_field: attempts, f"{at_field}__lt": now - self.wait(attempts)})
        if self.max_attempts is None:
            due |= Q(**{f"{attempts_field}__gte": last, f"{at_field}__lt": now - self.wait(last)})
        return due


# Both inboxes (Saleor webhooks, Stripe events): 20 s, 40 s, ... capped at an hour; parked after 10 attempts.
INBOX_RETRY = Backoff(max_attempts=10, base_seconds=10, cap_seconds=3600)
# A listing's push to Saleor: 2, 4, 8 ... minutes, then hourly for ever (never parked).
CATALOG_SYNC_RETRY = Backoff(max_attempts=None, base_seconds=60, cap_seconds=3600)
# A unit's provisioning in Saleor: 1, 2, 4 ... minutes, then hourly for ever (never parked).
PROVISIONING_RETRY = Backoff(max_attempts=None, base_seconds=30, cap_seconds=3600)
