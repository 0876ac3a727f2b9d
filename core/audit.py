"""The finance audit trail every app writes to: one append-only row per money action (a registered store)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

# Set once at start-up by the app that keeps the rows (payments: FinanceAuditEvent, in its AppConfig.ready).
_store: Callable[..., None] | None = None


def audit_store_set(store: Callable[..., None]) -> None:
    global _store
    _store = store


def audit_record(*, actor, action: str, subject: str, party: str = "", **detail) -> None:
    if _store is None:
        raise ImproperlyConfigured("No audit store: the payments app registers it when Django starts")
    _store(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        subject=subject,
        party=party,
        detail={
            k: v if isinstance(v, int | str | bool | list | dict | None) else str(v)
            for k, v in detail.items()
        },
    )
