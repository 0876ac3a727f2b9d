"""One retry policy for the inboxes: exponential backoff, capped, then parked after a number of attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q


@dataclass(frozen=True)
class Backoff:
    max_attempts: int
    base_seconds: int
    cap_seconds: int

    def wait(self, attempts: int) -> timedelta:
        """How long after its n-th failed attempt a row is retried: base * 2**n seconds, capped."""
        return timedelta(seconds=min(self.base_seconds * 2**attempts, self.cap_seconds))

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def due(self, *, now: datetime, attempts_field: str, at_field: str) -> Q:
        """Rows past their wait: one term per attempt count still retried (an exhausted row is parked)."""
        due = Q()
        for attempts in range(1, self.max_attempts):
            due |= Q(**{attempts_field: attempts, f"{at_field}__lt": now - self.wait(attempts)})
        return due


# Both inboxes (Saleor webhooks, Stripe events): 20 s, 40 s, ... capped at an hour; parked after 10 attempts.
INBOX_RETRY = Backoff(max_attempts=10, base_seconds=10, cap_seconds=3600)
