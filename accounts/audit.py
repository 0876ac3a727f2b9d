"""The access trail: one append-only row per role or sign-in change (who, when, what)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from accounts.models import AccessEvent
from core import clock


def _person(user):
    return user if getattr(user, "is_authenticated", False) else None


def access_record(
    *, action: str, actor=None, user=None, scope: str = "", now: datetime | None = None, **detail
) -> AccessEvent:
    """Append one event; `actor` did it, `user` is whose access changed (often the same person)."""
    return AccessEvent.objects.create(
        at=now or clock.now(),
        actor=_person(actor),
        user=_person(user),
        action=action,
        scope=scope,
        detail={k: v if isinstance(v, int | str | bool | list | None) else str(v) for k, v in detail.items()},
    )


def access_events(*, scope: str | None = None, user=None) -> QuerySet[AccessEvent]:
    events = AccessEvent.objects.select_related("actor", "user")
    if scope is not None:
        events = events.filter(scope=scope)
    if user is not None:
        events = events.filter(user=user)
    return events.order_by("-at", "-pk")
