"""The finance audit trail: one append-only row per money action."""

from __future__ import annotations

from payments.models import FinanceAuditEvent


def audit_record(*, actor, action: str, subject: str, party: str = "", **detail) -> None:
    FinanceAuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        subject=subject,
        party=party,
        detail={
            k: v if isinstance(v, int | str | bool | list | dict | None) else str(v)
            for k, v in detail.items()
        },
    )
