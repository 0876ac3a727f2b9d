"""The store of the finance audit trail (core.audit): one FinanceAuditEvent row per money action."""

from __future__ import annotations

from payments.models import FinanceAuditEvent


def finance_audit_store(*, actor, action: str, subject: str, party: str, detail: dict) -> None:
    FinanceAuditEvent.objects.create(actor=actor, action=action, subject=subject, party=party, detail=detail)
