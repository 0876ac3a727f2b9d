"""Whether the signed-in user may open the finance console (for the portal's navigation)."""

from __future__ import annotations

from payments.settlement.permissions import is_finance


def finance_nav(request) -> dict:
    # A callable: templates that never show the link never run its query.
    return {"finance_nav": lambda: is_finance(request.user)}
